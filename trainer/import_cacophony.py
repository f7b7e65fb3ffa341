"""Convert the authors' released Flax checkpoint (``Cacophony.ckpt``) into our format.

The file is flax.serialization msgpack: arrays are msgpack ext type 1 holding
``packb((shape, dtype_name, C-order bytes))`` (3 = numpy scalar the same way), and arrays
over 2**30 bytes are split into ``{"__msgpack_chunked_array__": True, "shape", "chunks"}``.
The parameters sit under ``["0"]["params"]``. Module names follow the authors' code
(github.com/gzhu06/Cacophony, ``src/caco``), which this mapping was read from:

- ``audio_module`` (AudioEncoder): ``Dense_0`` patch projection, ``freq_positional_embedding``,
  ``AudioEncoderLayer_i`` {``LayerNorm_0``, ``MultiHeadDotProductAttention_0`` {query, key,
  value, out}, ``LayerNorm_1``, ``MLP_0`` {Dense_0, Dense_1}}, final ``LayerNorm_0``
  -> ``audio.*`` one to one (Flax kernels are (in, out); heads are split in the kernel).
- ``audio_attention_pool``: ``Dense_0`` (keys and values), a raw ``query`` vector (no query
  projection), ``Dense_1`` (to the projection size, with bias), no LayerNorm -> our
  ``audio_pool`` with an identity query projection, ``out`` = Dense_1, ``pool_norm`` off,
  and ``audio_proj`` = identity.
- ``text_module``: a causal RoBERTa (``embeddings``, ``encoder/layer/ScanFlaxRobertaLayer_0``
  stacked over layers, or ``encoder/layer/<i>``) -> a transformers ``RobertaModel``. They
  number positions from 0 while transformers' RoBERTa starts at ``padding_idx + 1`` = 2, so
  the position table is shifted by 2 rows. Its ``pooler`` (single-head: ``key_proj``,
  ``value_proj``, ``attention_pool_query``, keys scaled by 1/sqrt(width)) -> ``text_pool``
  with 1 head; ``text_proj`` (with bias) becomes the pool's ``out`` and ``text_proj`` = identity.
- ``decoder_module``: post-LN RoBERTa layers (``encoder/layer/...``, self-attention,
  ``crossattention`` to the audio tokens, GELU FFN) and an untied ``decoder_proj`` -> our
  caption decoder with ``caption_style: "roberta"`` (same layer maths), ``output`` = decoder_proj.
- ``logit_scale`` -> ``logit_scale`` (both are log of the inverse temperature).

Guessed, not readable from the weights: the audio pooler's head count (2 in the authors' torch
port) and the text tower's and decoder's head counts (from ``--text-model``, 12 for
RoBERTa-base). Known small differences: Flax LayerNorm in the audio encoder uses eps 1e-6,
ours 1e-5; their patching drops a trailing partial patch, ours pads it with silence.
"""

from __future__ import annotations

import re
from pathlib import Path

import msgpack
import numpy as np
import torch
from transformers import AutoConfig, AutoTokenizer, RobertaConfig, RobertaModel

from engine.models.cacophony.checkpoint import save_checkpoint
from engine.models.cacophony.config import CacophonyConfig
from engine.models.cacophony.model import Cacophony
from engine.models.cacophony.text_tower import causal_config

TOP_LEVEL = ("audio_module", "text_module", "audio_attention_pool", "text_proj", "logit_scale")


class FlaxCheckpointError(ValueError):
    pass


# ---------------------------------------------------------------------------- reading msgpack
def _ndarray(data: bytes) -> np.ndarray:
    shape, dtype, buffer = msgpack.unpackb(data, raw=True)
    name = dtype.decode() if isinstance(dtype, bytes) else dtype
    if name == "bfloat16":
        raw = np.frombuffer(buffer, dtype=np.uint16).astype(np.uint32) << 16
        return raw.view(np.float32).reshape(shape)
    return np.frombuffer(buffer, dtype=np.dtype(name)).reshape(shape)


def _ext_hook(code: int, data: bytes):
    if code == 1:
        return _ndarray(data)
    if code == 3:
        return _ndarray(data)[()]
    if code == 2:
        real, imag = msgpack.unpackb(data)
        return complex(real, imag)
    return msgpack.ExtType(code, data)


def _unchunk(tree):
    if isinstance(tree, dict):
        if tree.get("__msgpack_chunked_array__"):
            shape = tuple(tree["shape"][str(i)] for i in range(len(tree["shape"])))
            chunks = [tree["chunks"][str(i)] for i in range(len(tree["chunks"]))]
            return np.concatenate(chunks).reshape(shape)
        return {k: _unchunk(v) for k, v in tree.items()}
    return tree


def read_flax_checkpoint(path: Path) -> dict:
    """The whole msgpack tree, arrays as numpy (the same result as flax's msgpack_restore)."""
    try:
        tree = msgpack.unpackb(Path(path).read_bytes(), ext_hook=_ext_hook, raw=False, strict_map_key=False)
    except (msgpack.UnpackException, ValueError) as error:
        raise FlaxCheckpointError(f"{path} is not a Flax msgpack checkpoint ({error})") from error
    return _unchunk(tree)


def flatten(tree: dict, prefix: str = "") -> dict[str, np.ndarray]:
    out = {}
    for key, value in tree.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        out |= flatten(value, name) if isinstance(value, dict) else {name: np.asarray(value)}
    return out


# ---------------------------------------------------------------------------- mapping
def _t(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(array, dtype=np.float32))


def _dense(p: dict, prefix: str = "") -> tuple[torch.Tensor, torch.Tensor]:
    """Flax Dense / DenseGeneral kernel -> torch (out, in) weight and a flat bias. Attention
    kernels are (in, heads, head_dim) for q/k/v and (heads, head_dim, out) for ``out``."""
    path = f"{prefix}/" if prefix else ""
    kernel, bias = p[f"{path}kernel"], p[f"{path}bias"]
    kernel = kernel.reshape(-1, kernel.shape[-1]) if prefix.endswith("out") else kernel.reshape(kernel.shape[0], -1)
    return _t(kernel).T.contiguous(), _t(bias.reshape(-1))


def _audio_state(p: dict, depth: int) -> dict[str, torch.Tensor]:
    s = {}
    s["audio.patch_embed.weight"], s["audio.patch_embed.bias"] = _dense(p, "Dense_0")
    s["audio.pos.freq"] = _t(p["freq_positional_embedding"])
    for i in range(depth):
        src, dst = f"AudioEncoderLayer_{i}", f"audio.blocks.{i}"
        for n, norm in (("LayerNorm_0", "norm1"), ("LayerNorm_1", "norm2")):
            s[f"{dst}.{norm}.weight"], s[f"{dst}.{norm}.bias"] = _t(p[f"{src}/{n}/scale"]), _t(p[f"{src}/{n}/bias"])
        mha = f"{src}/MultiHeadDotProductAttention_0"
        s[f"{dst}.attn.q.weight"], s[f"{dst}.attn.q.bias"] = _dense(p, f"{mha}/query")
        k_w, k_b = _dense(p, f"{mha}/key")
        v_w, v_b = _dense(p, f"{mha}/value")
        s[f"{dst}.attn.kv.weight"], s[f"{dst}.attn.kv.bias"] = torch.cat([k_w, v_w]), torch.cat([k_b, v_b])
        s[f"{dst}.attn.out.weight"], s[f"{dst}.attn.out.bias"] = _dense(p, f"{mha}/out")
        s[f"{dst}.mlp.0.weight"], s[f"{dst}.mlp.0.bias"] = _dense(p, f"{src}/MLP_0/Dense_0")
        s[f"{dst}.mlp.2.weight"], s[f"{dst}.mlp.2.bias"] = _dense(p, f"{src}/MLP_0/Dense_1")
    s["audio.norm.weight"], s["audio.norm.bias"] = _t(p["LayerNorm_0/scale"]), _t(p["LayerNorm_0/bias"])
    return s


def _pool_state(prefix: str, query: np.ndarray, kv: tuple, out: tuple, width: int) -> dict[str, torch.Tensor]:
    """Their poolers have a raw query and no query projection: ours gets an identity one."""
    return {
        f"{prefix}.query": _t(query).reshape(1, 1, width),
        f"{prefix}.attn.q.weight": torch.eye(width),
        f"{prefix}.attn.q.bias": torch.zeros(width),
        f"{prefix}.attn.kv.weight": kv[0],
        f"{prefix}.attn.kv.bias": kv[1],
        f"{prefix}.attn.out.weight": out[0],
        f"{prefix}.attn.out.bias": out[1],
    }


def _layers(p: dict, prefix: str = "encoder/layer") -> tuple[int, dict[str, np.ndarray]]:
    """Per-layer parameters named ``<i>/...`` from a scanned (stacked) or unrolled RoBERTa encoder."""
    scan = f"{prefix}/ScanFlaxRobertaLayer_0/"
    scanned = {k[len(scan) :]: v for k, v in p.items() if k.startswith(scan)}
    if scanned:
        depth = next(iter(scanned.values())).shape[0]
        return depth, {f"{i}/{k}": v[i] for k, v in scanned.items() for i in range(depth)}
    layers = {m.group(1) + "/" + m.group(2): v for k, v in p.items() if (m := re.match(rf"{prefix}/(\d+)/(.*)", k))}
    return len({k.split("/")[0] for k in layers}), layers


def _attention(layers: dict, src: str, dst: str) -> dict[str, torch.Tensor]:
    """A RoBERTa (self or cross) attention, output dense and LayerNorm -> our Attention + norm."""
    get = lambda name: (_t(layers[f"{src}/{name}/kernel"]).T.contiguous(), _t(layers[f"{src}/{name}/bias"]))  # noqa: E731 - a one-line accessor, used on the next line
    (q_w, q_b), (k_w, k_b), (v_w, v_b), (o_w, o_b) = (
        get(n) for n in ("self/query", "self/key", "self/value", "output/dense")
    )
    return {
        f"{dst}.q.weight": q_w,
        f"{dst}.q.bias": q_b,
        f"{dst}.kv.weight": torch.cat([k_w, v_w]),
        f"{dst}.kv.bias": torch.cat([k_b, v_b]),
        f"{dst}.out.weight": o_w,
        f"{dst}.out.bias": o_b,
    }


def _decoder_state(p: dict) -> tuple[int, dict[str, torch.Tensor]]:
    depth, layers = _layers(p)
    width, inner = layers["0/intermediate/dense/kernel"].shape
    if inner != 4 * width:
        raise FlaxCheckpointError(f"caption decoder MLP of {inner} for width {width}: only 4 x width is supported")
    s = {}
    for i in range(depth):
        dst = f"caption_decoder.blocks.{i}"
        s |= _attention(layers, f"{i}/attention", f"{dst}.attn")
        s |= _attention(layers, f"{i}/crossattention", f"{dst}.cross")
        for src, norm in (("attention", "norm1"), ("crossattention", "norm_cross")):
            s[f"{dst}.{norm}.weight"] = _t(layers[f"{i}/{src}/output/LayerNorm/scale"])
            s[f"{dst}.{norm}.bias"] = _t(layers[f"{i}/{src}/output/LayerNorm/bias"])
        for src, mlp in (("intermediate/dense", "mlp.0"), ("output/dense", "mlp.2")):
            s[f"{dst}.{mlp}.weight"] = _t(layers[f"{i}/{src}/kernel"]).T.contiguous()
            s[f"{dst}.{mlp}.bias"] = _t(layers[f"{i}/{src}/bias"])
        s[f"{dst}.norm2.weight"] = _t(layers[f"{i}/output/LayerNorm/scale"])
        s[f"{dst}.norm2.bias"] = _t(layers[f"{i}/output/LayerNorm/bias"])
    s["caption_decoder.output.weight"], s["caption_decoder.output.bias"] = _dense(p, "decoder_proj")
    return depth, s


def _roberta_state(p: dict, layers: dict, depth: int, pad_token_id: int) -> dict[str, torch.Tensor]:
    s = {
        "embeddings.word_embeddings.weight": _t(p["embeddings/word_embeddings/embedding"]),
        "embeddings.token_type_embeddings.weight": _t(p["embeddings/token_type_embeddings/embedding"]),
        "embeddings.LayerNorm.weight": _t(p["embeddings/LayerNorm/scale"]),
        "embeddings.LayerNorm.bias": _t(p["embeddings/LayerNorm/bias"]),
    }
    positions = _t(p["embeddings/position_embeddings/embedding"])
    # They index positions from 0; transformers' RoBERTa from padding_idx + 1.
    s["embeddings.position_embeddings.weight"] = torch.roll(positions, pad_token_id + 1, dims=0)
    names = {
        "attention/self/query": "attention.self.query",
        "attention/self/key": "attention.self.key",
        "attention/self/value": "attention.self.value",
        "attention/output/dense": "attention.output.dense",
        "intermediate/dense": "intermediate.dense",
        "output/dense": "output.dense",
    }
    for i in range(depth):
        for src, dst in names.items():
            s[f"encoder.layer.{i}.{dst}.weight"] = _t(layers[f"{i}/{src}/kernel"]).T.contiguous()
            s[f"encoder.layer.{i}.{dst}.bias"] = _t(layers[f"{i}/{src}/bias"])
        for src, dst in (
            ("attention/output/LayerNorm", "attention.output.LayerNorm"),
            ("output/LayerNorm", "output.LayerNorm"),
        ):
            s[f"encoder.layer.{i}.{dst}.weight"] = _t(layers[f"{i}/{src}/scale"])
            s[f"encoder.layer.{i}.{dst}.bias"] = _t(layers[f"{i}/{src}/bias"])
    return s


def convert(params: dict, text_source: str, audio_pool_heads: int = 2, name: str = "cacophony"):
    """(model, tokenizer) from the ``params`` tree of the authors' checkpoint."""
    missing = [k for k in TOP_LEVEL if k not in params]
    if missing:
        raise FlaxCheckpointError(f"not a Cacophony checkpoint: params lack {missing} (have {sorted(params)})")
    audio = flatten(params["audio_module"])
    text = flatten(params["text_module"])
    pool = flatten(params["audio_attention_pool"])
    proj = flatten(params["text_proj"])
    width = audio["Dense_0/kernel"].shape[1]
    depth = len({k.split("/")[0] for k in audio if k.startswith("AudioEncoderLayer_")})
    heads = audio["AudioEncoderLayer_0/MultiHeadDotProductAttention_0/query/kernel"].shape[1]
    projection = pool["Dense_1/kernel"].shape[1]
    text_width = text["embeddings/word_embeddings/embedding"].shape[1]
    if projection != width or proj["kernel"].shape != (text_width, projection):
        raise FlaxCheckpointError(
            f"projection size {projection} differs from the audio width {width} or the "
            f"text width {text_width}: this layout cannot be represented"
        )

    text_depth, layers = _layers(text)
    source_config = AutoConfig.from_pretrained(text_source)
    text_config = RobertaConfig(
        vocab_size=text["embeddings/word_embeddings/embedding"].shape[0],
        hidden_size=text_width,
        num_hidden_layers=text_depth,
        num_attention_heads=source_config.num_attention_heads,
        intermediate_size=layers["0/intermediate/dense/kernel"].shape[1],
        max_position_embeddings=text["embeddings/position_embeddings/embedding"].shape[0],
        type_vocab_size=text["embeddings/token_type_embeddings/embedding"].shape[0],
        layer_norm_eps=getattr(source_config, "layer_norm_eps", 1e-5),
        pad_token_id=source_config.pad_token_id,
        bos_token_id=source_config.bos_token_id,
        eos_token_id=source_config.eos_token_id,
    )
    roberta = RobertaModel(causal_config(text_config), add_pooling_layer=False)
    roberta.load_state_dict(_roberta_state(text, layers, text_depth, text_config.pad_token_id), strict=True)

    cfg = CacophonyConfig(
        name=name,
        width=width,
        depth=depth,
        heads=heads,
        mlp_dim=audio["AudioEncoderLayer_0/MLP_0/Dense_0/kernel"].shape[1],
        n_mels=audio["freq_positional_embedding"].shape[0] * 16,
        decoder_depth=0,
        text_model="checkpoint",
        embed_dim=projection,
        pool_heads=audio_pool_heads,
        text_pool_heads=1,
        pool_norm=False,
        caption_depth=0,
    )
    decoder_state: dict[str, torch.Tensor] = {}
    if "decoder_module" in params:
        decoder_depth, decoder_state = _decoder_state(flatten(params["decoder_module"]))
        cfg = cfg.replace(
            caption_depth=decoder_depth, caption_heads=source_config.num_attention_heads, caption_style="roberta"
        )
    model = Cacophony(cfg, roberta)
    state = _audio_state(audio, depth) | decoder_state
    state |= _pool_state("audio_pool", pool["query"], _dense(pool, "Dense_0"), _dense(pool, "Dense_1"), width)
    key_w, key_b = _dense(text, "pooler/key_proj")
    value_w, value_b = _dense(text, "pooler/value_proj")
    state |= _pool_state(
        "text_pool",
        text["pooler/attention_pool_query"],
        (torch.cat([key_w, value_w]), torch.cat([key_b, value_b])),
        _dense(proj),
        text_width,
    )
    state["audio_proj.weight"] = torch.eye(projection)
    state["text_proj.weight"] = torch.eye(projection)
    state["logit_scale"] = torch.tensor(float(np.asarray(params["logit_scale"])))
    result = model.load_state_dict(state, strict=False)
    unfilled = [k for k in result.missing_keys if not k.startswith(("logmel.", "text."))]
    if unfilled or result.unexpected_keys:
        raise FlaxCheckpointError(f"conversion left {unfilled[:5]} unset, {result.unexpected_keys[:5]} unused")
    return model.eval(), AutoTokenizer.from_pretrained(text_source)


def import_cacophony(
    checkpoint: Path,
    out: Path,
    text_model: str = "FacebookAI/roberta-base",
    name: str = "cacophony",
    audio_pool_heads: int = 2,
) -> Path:
    tree = read_flax_checkpoint(checkpoint)
    try:
        params = tree["0"]["params"]
    except (KeyError, TypeError):
        raise FlaxCheckpointError(f"{checkpoint}: expected the parameters under ['0']['params']") from None
    model, tokenizer = convert(params, text_model, audio_pool_heads, name)
    return save_checkpoint(
        model, tokenizer, Path(out), extra={"name": name, "source": f"imported from {Path(checkpoint).name}"}
    )
