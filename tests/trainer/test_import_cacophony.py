"""The Flax checkpoint converter on a synthetic checkpoint with the authors' structure.

The reference forward passes below re-implement the authors' Flax code (github.com/gzhu06/
Cacophony, src/caco) directly on the raw arrays, independently of the converter's mapping,
so a wrong transpose, head split or position offset shows up as different embeddings."""

from __future__ import annotations

import math

import msgpack
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.models.base import CaptionOptions
from engine.models.cacophony.backend import CacophonyBackend
from trainer.cli import main
from trainer.import_cacophony import FlaxCheckpointError, import_cacophony

D, H, L, M, P, V, POS, TEXT_LAYERS = 32, 2, 2, 64, 32, 62, 40, 2


def flax_pack(tree) -> bytes:
    """flax.serialization's msgpack format: ndarrays as ext 1, numpy scalars as ext 3."""

    def encode(array: np.ndarray) -> bytes:
        return msgpack.packb((array.shape, array.dtype.name, array.tobytes("C")), use_bin_type=True)

    def default(x):
        if isinstance(x, np.ndarray):
            return msgpack.ExtType(1, encode(x))
        if isinstance(x, np.generic):
            return msgpack.ExtType(3, encode(np.asarray(x)))
        raise TypeError(type(x))

    return msgpack.packb(tree, default=default, strict_types=True)


def chunked(array: np.ndarray, parts: int = 3) -> dict:
    """How flax stores arrays over 2**30 bytes (forced here on a small one)."""
    pieces = np.array_split(array.reshape(-1), parts)
    return {
        "__msgpack_chunked_array__": True,
        "shape": {str(i): n for i, n in enumerate(array.shape)},
        "chunks": {str(i): c for i, c in enumerate(pieces)},
    }


def synthetic_params(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    r = lambda *shape, s=0.2: (rng.standard_normal(shape) * s).astype(np.float32)  # noqa: E731 - one-line builders of fake weights
    ln = lambda n=D: {"scale": 1 + r(n, s=0.1), "bias": r(n, s=0.1)}  # noqa: E731 - one-line builders of fake weights
    dense = lambda i, o: {"kernel": r(i, o), "bias": r(o, s=0.05)}  # noqa: E731 - one-line builders of fake weights
    audio = {"Dense_0": dense(256, D), "freq_positional_embedding": r(8, D), "LayerNorm_0": ln()}
    for i in range(L):
        mha = {n: {"kernel": r(D, H, D // H), "bias": r(H, D // H, s=0.05)} for n in ("query", "key", "value")}
        mha["out"] = {"kernel": r(H, D // H, D), "bias": r(D, s=0.05)}
        audio[f"AudioEncoderLayer_{i}"] = {
            "LayerNorm_0": ln(),
            "MultiHeadDotProductAttention_0": mha,
            "LayerNorm_1": ln(),
            "MLP_0": {"Dense_0": dense(D, M), "Dense_1": dense(M, D)},
        }
    stacked = lambda i, o: {"kernel": r(TEXT_LAYERS, i, o), "bias": r(TEXT_LAYERS, o, s=0.05)}  # noqa: E731 - one-line builders of fake weights
    stacked_ln = lambda: {"scale": 1 + r(TEXT_LAYERS, D, s=0.1), "bias": r(TEXT_LAYERS, D, s=0.1)}  # noqa: E731 - one-line builders of fake weights

    def roberta_layers(inner: int, cross: bool = False) -> dict:
        def attention():
            return {
                "self": {n: stacked(D, D) for n in ("query", "key", "value")},
                "output": {"dense": stacked(D, D), "LayerNorm": stacked_ln()},
            }

        layer = {
            "attention": attention(),
            "intermediate": {"dense": stacked(D, inner)},
            "output": {"dense": stacked(inner, D), "LayerNorm": stacked_ln()},
        }
        return layer | ({"crossattention": attention()} if cross else {})

    layer = roberta_layers(M)
    text = {
        "embeddings": {
            "word_embeddings": {"embedding": r(V, D, s=0.5)},
            "position_embeddings": {"embedding": chunked(r(POS, D, s=0.5))},
            "token_type_embeddings": {"embedding": r(1, D)},
            "LayerNorm": ln(),
        },
        "encoder": {"layer": {"ScanFlaxRobertaLayer_0": layer}},
        "pooler": {"key_proj": dense(D, D), "value_proj": dense(D, D), "attention_pool_query": r(1, D)},
    }
    decoder = {
        "encoder": {"layer": {"ScanFlaxRobertaLayer_0": roberta_layers(4 * D, cross=True)}},
        "decoder_proj": dense(D, V),
    }
    return {
        "audio_module": audio,
        "text_module": text,
        "decoder_module": decoder,
        "audio_attention_pool": {"Dense_0": dense(D, 2 * D), "Dense_1": dense(D, P), "query": r(D)},
        "text_proj": dense(D, P),
        "logit_scale": np.float32(2.6592),
    }


# ---------------------------------------------------------------------------- the authors' forward
def t(x):
    return torch.from_numpy(np.asarray(x, dtype=np.float32))


def layer_norm(x, p, eps):
    return F.layer_norm(x, x.shape[-1:], t(p["scale"]), t(p["bias"]), eps)


def reference_audio_embedding(params: dict, mel: torch.Tensor) -> torch.Tensor:
    """caco.py get_audio_embedding on one clip whose length is a whole number of patches."""
    a, pool = params["audio_module"], params["audio_attention_pool"]
    nt = mel.shape[0] // 16
    x = mel.reshape(nt, 16, 8, 16).permute(0, 2, 1, 3).reshape(nt * 8, 256)
    time_idx = torch.arange(nt * 8) // 8
    freq_idx = torch.arange(nt * 8) % 8
    x = x @ t(a["Dense_0"]["kernel"]) + t(a["Dense_0"]["bias"])
    angles = time_idx[:, None].float() * torch.exp(2 * torch.arange(D // 2) * -math.log(10000.0) / D)
    x = x + torch.cat([angles.sin(), angles.cos()], -1) + t(a["freq_positional_embedding"])[freq_idx]
    for i in range(L):
        p = a[f"AudioEncoderLayer_{i}"]
        mha = p["MultiHeadDotProductAttention_0"]
        h = layer_norm(x, p["LayerNorm_0"], 1e-6)
        q, k, v = (
            torch.einsum("nd,dhe->nhe", h, t(mha[n]["kernel"])) + t(mha[n]["bias"]) for n in ("query", "key", "value")
        )
        w = torch.softmax(torch.einsum("qhe,khe->hqk", q / math.sqrt(D // H), k), -1)
        x = (
            x
            + torch.einsum("hqk,khe->qhe", w, v).reshape(-1, H, D // H).flatten(1)
            @ t(mha["out"]["kernel"]).reshape(D, D)
            + t(mha["out"]["bias"])
        )
        h = layer_norm(x, p["LayerNorm_1"], 1e-6)
        h = F.silu(h @ t(p["MLP_0"]["Dense_0"]["kernel"]) + t(p["MLP_0"]["Dense_0"]["bias"]))
        x = x + h @ t(p["MLP_0"]["Dense_1"]["kernel"]) + t(p["MLP_0"]["Dense_1"]["bias"])
    x = layer_norm(x, a["LayerNorm_0"], 1e-6)
    k, v = (x @ t(pool["Dense_0"]["kernel"]) + t(pool["Dense_0"]["bias"])).chunk(2, -1)
    q = t(pool["query"]).reshape(2, D // 2)
    w = torch.softmax(torch.einsum("hd,jhd->hj", q / math.sqrt(D // 2), k.reshape(-1, 2, D // 2)), -1)
    out = torch.einsum("hj,jhd->hd", w, v.reshape(-1, 2, D // 2)).reshape(-1)
    out = out @ t(pool["Dense_1"]["kernel"]) + t(pool["Dense_1"]["bias"])
    return out / out.norm()


def reference_text_embedding(params: dict, ids: list[int]) -> torch.Tensor:
    """roberta_text_model.py RobertaModel (causal, positions from 0) + pooler + text_proj."""
    p = params["text_module"]
    e = p["embeddings"]
    positions = np.concatenate(list(e["position_embeddings"]["embedding"]["chunks"].values())).reshape(POS, D)
    n = len(ids)
    x = t(e["word_embeddings"]["embedding"])[ids] + t(positions)[:n] + t(e["token_type_embeddings"]["embedding"])[0]
    x = layer_norm(x, e["LayerNorm"], 1e-5)
    layer = p["encoder"]["layer"]["ScanFlaxRobertaLayer_0"]
    causal = torch.ones(n, n, dtype=torch.bool).tril()
    for i in range(TEXT_LAYERS):
        get = lambda d, i=i: (t(d["kernel"][i]), t(d["bias"][i]))  # noqa: E731 - one-line builders of fake weights
        att = layer["attention"]
        q, k, v = (
            (x @ w + b).reshape(n, 2, D // 2) for w, b in (get(att["self"][m]) for m in ("query", "key", "value"))
        )
        s = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(D // 2)
        w = torch.softmax(s.masked_fill(~causal, -1e10), -1)
        a = torch.einsum("hqk,khd->qhd", w, v).reshape(n, D)
        wd, bd = get(att["output"]["dense"])
        ln = att["output"]["LayerNorm"]
        x = F.layer_norm(a @ wd + bd + x, (D,), t(ln["scale"][i]), t(ln["bias"][i]), 1e-5)
        wi, bi = get(layer["intermediate"]["dense"])
        wo, bo = get(layer["output"]["dense"])
        ln = layer["output"]["LayerNorm"]
        x = F.layer_norm(F.gelu(x @ wi + bi) @ wo + bo + x, (D,), t(ln["scale"][i]), t(ln["bias"][i]), 1e-5)
    pool = p["pooler"]
    key = (x @ t(pool["key_proj"]["kernel"]) + t(pool["key_proj"]["bias"])) / math.sqrt(D)
    value = x @ t(pool["value_proj"]["kernel"]) + t(pool["value_proj"]["bias"])
    pooled = torch.softmax(t(pool["attention_pool_query"]) @ key.T, -1) @ value
    out = (pooled @ t(params["text_proj"]["kernel"]) + t(params["text_proj"]["bias"]))[0]
    return out / out.norm()


def reference_decoder_logits(params: dict, text_states: torch.Tensor, audio_tokens: torch.Tensor) -> torch.Tensor:
    """roberta_text_model.py RobertaDecoder: post-LN layers with causal self-attention and
    cross-attention to the audio tokens, then the untied decoder_proj."""
    dec = params["decoder_module"]
    layer = dec["encoder"]["layer"]["ScanFlaxRobertaLayer_0"]
    x, n = text_states, text_states.shape[0]
    causal = torch.ones(n, n, dtype=torch.bool).tril()

    def attend(block, i, queries, keys, mask):
        get = lambda d: (t(d["kernel"][i]), t(d["bias"][i]))  # noqa: E731 - one-line builders of fake weights
        q, k, v = (
            (inp @ w + b).reshape(inp.shape[0], 2, D // 2)
            for inp, (w, b) in (
                (queries, get(block["self"]["query"])),
                (keys, get(block["self"]["key"])),
                (keys, get(block["self"]["value"])),
            )
        )
        s = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(D // 2)
        if mask is not None:
            s = s.masked_fill(~mask, -1e10)
        a = torch.einsum("hqk,khd->qhd", torch.softmax(s, -1), v).reshape(-1, D)
        wd, bd = get(block["output"]["dense"])
        ln = block["output"]["LayerNorm"]
        return F.layer_norm(a @ wd + bd + queries, (D,), t(ln["scale"][i]), t(ln["bias"][i]), 1e-5)

    for i in range(TEXT_LAYERS):
        x = attend(layer["attention"], i, x, x, causal)
        x = attend(layer["crossattention"], i, x, audio_tokens, None)
        wi, bi = t(layer["intermediate"]["dense"]["kernel"][i]), t(layer["intermediate"]["dense"]["bias"][i])
        wo, bo = t(layer["output"]["dense"]["kernel"][i]), t(layer["output"]["dense"]["bias"][i])
        ln = layer["output"]["LayerNorm"]
        x = F.layer_norm(F.gelu(x @ wi + bi) @ wo + bo + x, (D,), t(ln["scale"][i]), t(ln["bias"][i]), 1e-5)
    return x @ t(dec["decoder_proj"]["kernel"]) + t(dec["decoder_proj"]["bias"])


# ---------------------------------------------------------------------------- tests
@pytest.fixture
def text_source(tmp_path, text_tower):
    """A tiny 'RoBERTa' source: tokenizer from the test tower, a RoBERTa config with 2 heads."""
    from transformers import AutoTokenizer, RobertaConfig

    folder = tmp_path / "roberta"
    AutoTokenizer.from_pretrained(text_tower).save_pretrained(folder)
    RobertaConfig(
        vocab_size=V,
        hidden_size=D,
        num_hidden_layers=TEXT_LAYERS,
        num_attention_heads=2,
        intermediate_size=M,
        max_position_embeddings=POS,
        pad_token_id=0,
    ).save_pretrained(folder)
    return folder


def test_import_reproduces_the_authors_forward_pass(tmp_path, text_source):
    params = synthetic_params()
    ckpt = tmp_path / "Cacophony.ckpt"
    ckpt.write_bytes(flax_pack({"0": {"params": params, "step": np.int64(300_000)}}))
    out = tmp_path / "imported"
    assert main(["import-cacophony", str(ckpt), str(out), "--text-model", str(text_source)]) == 0

    backend = CacophonyBackend.from_checkpoint(out)
    model = backend.model
    assert model.cfg.width == D and model.cfg.depth == L and model.cfg.heads == H and model.cfg.embed_dim == P
    assert backend.info.can_caption and model.cfg.caption_style == "roberta" and model.cfg.caption_depth == TEXT_LAYERS
    assert model.temperature == pytest.approx(1 / math.exp(2.6592), rel=1e-5)

    torch.manual_seed(0)
    mel = torch.randn(64, 128) * 0.5
    with torch.no_grad():
        ours, _, _ = model.embed_mel(mel[None], torch.tensor([64]))
    torch.testing.assert_close(ours[0], reference_audio_embedding(params, mel), atol=2e-4, rtol=1e-3)

    ids = backend.tokenize(["a slow wooden door creak"])
    with torch.no_grad():
        ours_text, _, _ = model.embed_text(ids["input_ids"], ids["attention_mask"])
    reference = reference_text_embedding(params, ids["input_ids"][0].tolist())
    torch.testing.assert_close(ours_text[0], reference, atol=1e-5, rtol=1e-4)

    with torch.no_grad():
        _, tokens, audio_valid = model.embed_mel(mel[None], torch.tensor([64]))
        _, states, text_valid = model.embed_text(ids["input_ids"], ids["attention_mask"])
        logits = model.caption_logits(states, text_valid, tokens, audio_valid)
    torch.testing.assert_close(logits[0], reference_decoder_logits(params, states[0], tokens[0]), atol=1e-4, rtol=1e-4)
    options = CaptionOptions(beams=1, max_tokens=3)
    assert all(c.text.strip() for c in backend.describe([np.zeros(16_000, np.float32)], options))


def test_import_rejects_other_checkpoints(tmp_path, text_source):
    wrong = tmp_path / "other.ckpt"
    wrong.write_bytes(flax_pack({"0": {"params": {"encoder": {"w": np.zeros(3, np.float32)}}}}))
    with pytest.raises(FlaxCheckpointError, match="audio_module"):
        import_cacophony(wrong, tmp_path / "out", text_model=str(text_source))
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"\xc1 not msgpack")
    with pytest.raises(FlaxCheckpointError, match="not a Flax msgpack"):
        import_cacophony(garbage, tmp_path / "out", text_model=str(text_source))
    assert not (tmp_path / "out").exists()
