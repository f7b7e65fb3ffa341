"""The app-facing :class:`AudioTextModel` for a Cacophony checkpoint."""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import torch
import torchaudio

from engine.models.base import AISFX_BLOCKS, AudioTextModel, CaptionOptions, GeneratedCaption, ModelInfo, l2_normalise
from engine.models.cacophony.checkpoint import load_checkpoint
from engine.models.cacophony.exemplars import Exemplars
from engine.models.cacophony.model import Cacophony
from engine.models.cacophony.ucs_bridge import (
    CLASSES_FILE,
    SAMPLE_RATE,
    QueryShares,
    UcsBridge,
    WordsHead,
    load_classes,
    query_side,
    side_by_side,
)
from engine.models.decoding import decode
from engine.models.devices import native_bf16
from engine.models.folders import EXEMPLARS_FILE, WORDS_HEAD_FILE


def pad_batch(clips: list[np.ndarray], device) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero-pad mono clips into (B, S) with their true lengths."""
    lengths = torch.tensor([len(c) for c in clips])
    wave = torch.zeros(len(clips), max(int(lengths.max()), 1))
    for row, clip in enumerate(clips):
        wave[row, : len(clip)] = torch.from_numpy(np.asarray(clip, dtype=np.float32))
    return wave.to(device), lengths.to(device)


def content_seed(clip: np.ndarray) -> int:
    """A clip's own sampling seed, from its samples: its sampled caption does not depend on the
    clips captioned with it."""
    return int.from_bytes(hashlib.sha1(np.ascontiguousarray(clip).tobytes()).digest()[:7], "little")


QUERY_ALTERNATIVES = 8  # embed_words keeps the words of batches this small: a query's alternatives


class OnceEach:
    """Values of the last ``size`` keys, each computed once even when two threads ask for it at
    the same moment (the second waits for the first's result)."""

    def __init__(self, size: int = 64):
        self.size = size
        self._done: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._running: dict[Hashable, Future] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key].copy()
            running = self._running.get(key)
            if running is None:
                running = self._running[key] = Future()
                mine = True
            else:
                mine = False
        if not mine:
            return running.result().copy()
        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._running[key]
            running.set_exception(error)
            raise
        with self._lock:
            del self._running[key]
            self._done[key] = value
            while len(self._done) > self.size:
                self._done.popitem(last=False)
        running.set_result(value)
        return value.copy()


class CacophonyBackend(AudioTextModel):
    """A Cacophony model, and beside it, when its checkpoint has ``ucs-classes.json``, the UCS
    bridge (:mod:`engine.models.cacophony.ucs_bridge`): then an embedding is the joint one and the
    bridge's, scaled so one dot product weighs them ``1 - w`` and ``w``, and clips come at
    44.1 kHz (the bridge's rate; the model hears them resampled to its own)."""

    def __init__(
        self,
        model: Cacophony,
        tokenizer,
        name: str,
        device: str = "cpu",
        bridge: dict | None = None,
        query_dtype: torch.dtype | None = None,
    ):
        """``query_dtype`` is the text tower's for one query at a time (:meth:`_joint_and_words`);
        None: bf16 where the CPU computes it natively (:func:`native_bf16`), else fp32."""
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.device = device
        if query_dtype is None:
            query_dtype = torch.bfloat16 if native_bf16(device) else torch.float32
        self._query_tower = self._text_tower_in(query_dtype)
        self._bidirectional: torch.nn.Module | None = None  # see embed_words
        self._bidirectional_lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()
        self._recent_queries = OnceEach()
        self._recent_alternatives = OnceEach()  # the words of a few texts at once (embed_words)
        cfg = model.cfg
        self.bridge: UcsBridge | None = None
        self.bridge_shares = (1.0, 0.0)  # square roots of the joint's and the bridge's shares
        self.query_shares: QueryShares | None = None  # None: every text weighs them as the audio does
        self.exemplars: Exemplars | None = None  # how a query is heard in the likeness space (query_likeness)
        if bridge is not None:
            self.bridge = UcsBridge(
                bridge["classes"],
                self.embed_words,
                bridge["head"],
                bridge.get("words_head"),
                bridge.get("words_head_share", 0.0),
            )
            self.bridge.to(device).eval()
            self.bridge_shares = (float(np.sqrt(1.0 - bridge["weight"])), float(np.sqrt(bridge["weight"])))
            if "query_shares" in bridge:
                self.query_shares = QueryShares(**bridge["query_shares"])
            self.exemplars = bridge.get("exemplars")
        words_dim = self.bridge.category_words.shape[1] if self.bridge is not None else 0
        self.info = ModelInfo(
            name=name,
            backend="cacophony",
            embedding_dim=cfg.embed_dim + words_dim,
            sample_rate=SAMPLE_RATE if self.bridge is not None else cfg.sample_rate,
            window_seconds=cfg.window_seconds,
            can_caption=model.caption_decoder is not None,
            likeness=AISFX_BLOCKS if self.bridge is not None else None,
        )

    @classmethod
    def from_checkpoint(cls, folder: Path, name: str | None = None, device: str = "cpu") -> CacophonyBackend:
        model, tokenizer, meta = load_checkpoint(folder, device)
        bridge = load_classes(folder) if (Path(folder) / CLASSES_FILE).is_file() else None
        if bridge is not None and (Path(folder) / WORDS_HEAD_FILE).is_file():
            bridge["words_head"] = WordsHead.load(Path(folder) / WORDS_HEAD_FILE)
        if bridge is not None and (Path(folder) / EXEMPLARS_FILE).is_file():
            bridge["exemplars"] = Exemplars.load(Path(folder) / EXEMPLARS_FILE)
        return cls(model, tokenizer, name or meta.get("name") or Path(folder).name, device, bridge)

    def _at_model_rate(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded clips as the model hears them (resampled from the bridge's rate when there is one)."""
        rate = self.model.cfg.sample_rate
        if self.bridge is None or rate == SAMPLE_RATE:
            return wave, lengths
        resampled = torchaudio.functional.resample(wave, SAMPLE_RATE, rate)
        return resampled, torch.div(lengths * rate + SAMPLE_RATE - 1, SAMPLE_RATE, rounding_mode="floor")

    def tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        with self._tokenizer_lock:  # a fast tokenizer refuses a second thread mid-call ("Already borrowed")
            batch = self.tokenizer(
                texts, padding=True, truncation=True, max_length=self.model.cfg.max_text_tokens, return_tensors="pt"
            )
        return {k: batch[k].to(self.device) for k in ("input_ids", "attention_mask")}

    def embed_audio(self, clips: list[np.ndarray]) -> np.ndarray:
        return self.embed_audio_and_likeness(clips)[0]

    @torch.inference_mode()
    def embed_audio_and_likeness(self, clips: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        """With a bridge, the likeness is the aiSFX features its head classified (engine.models.base.AISFX_BLOCKS)."""
        wave, lengths = pad_batch(clips, self.device)
        embedding, _, _ = self.model.embed_audio(*self._at_model_rate(wave, lengths))
        if self.bridge is None:
            return embedding.float().cpu().numpy(), None
        bridged, likeness = self.bridge.with_likeness(wave, lengths)
        embedding = torch.cat([self.bridge_shares[0] * embedding.float(), self.bridge_shares[1] * bridged], dim=-1)
        return embedding.cpu().numpy(), likeness.float().cpu().numpy()

    @torch.inference_mode()
    def embed_text(self, texts: list[str]) -> np.ndarray:
        """With a bridge, the joint and the words embedding side by side, each scaled by the square
        root of the audio's share: a tag's prompts are category names, as the bridge's are."""
        return self._side_by_side(texts, None)

    @torch.inference_mode()
    def embed_query(self, texts: list[str]) -> np.ndarray:
        """As :meth:`embed_text`, but with :class:`QueryShares` each query weighs the bridge by its
        own share: a dot product with a clip is ``(1 - s) * joint + s * bridge``. Such a vector is
        not of unit length; only the order of its dot products matters."""
        return self._side_by_side(texts, self.query_shares)

    def query_likeness(self, texts: list[str]) -> np.ndarray | None:
        """With exemplars (a bridge's ``exemplars.safetensors``), each query as what the training
        clips its words name sound like to aiSFX (:class:`Exemplars`), from its words embedding."""
        return None if self.exemplars is None else self.exemplars.query(self.embed_words(texts))

    def _side_by_side(self, texts: list[str], query_shares: QueryShares | None) -> np.ndarray:
        joint, words = self.text_parts(texts)
        if self.bridge is None:
            return joint
        audio_share = self.bridge_shares[1] ** 2
        if query_shares is None:
            return side_by_side(joint, words, audio_share)
        shares = query_shares.of(self.bridge.nearness(words))
        return query_side(joint, words, audio_share, shares).astype(np.float32)

    def embed_text_and_words(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """With a bridge, :meth:`embed_text` holds the words embedding already: one pass of the
        tower fewer (UCS's 3,000 tag prompts, the first time a model tags: 34 -> 23 s here)."""
        joint, words = self.text_parts(texts)
        if self.bridge is None:
            return joint, self.embed_words(texts)
        return side_by_side(joint, words, self.bridge_shares[1] ** 2), words

    def text_parts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """The joint embedding of each text and, with a bridge, its words embedding (unscaled)."""
        joint = self._query(texts[0])[0] if len(texts) == 1 else self._joint_text(texts)
        return joint, (self.embed_words(texts) if self.bridge is not None else None)

    @torch.inference_mode()
    def _joint_text(self, texts: list[str]) -> np.ndarray:
        embedding, _, _ = self.model.embed_text(**self.tokenize(texts))
        return embedding.float().cpu().numpy()

    def embed_words(self, texts: list[str]) -> np.ndarray:
        """With a frozen pretrained text tower (the builtin model's all-MiniLM-L6-v2), its own
        sentence embedding: every token attending to every other, as it was pretrained, then
        mean-pooled. Cacophony runs the tower causally for its caption decoder, which suits
        matching audio but compares words poorly (UCS categories from file names in
        bench/tagging.py: 53 % top-1 this way, 8 % through the joint embedding). A tower trained
        with the model has no such other life: it gets the joint embedding.

        One text, or a few (a query's alternatives), is computed once for the last few: a search
        asks for its query's words for the meaning of names, for :meth:`query_likeness` and, with
        a bridge, for :meth:`embed_query`, each on its own thread (MiniLM, two alternatives: an
        11 ms pass each)."""
        if len(texts) == 1:
            return self._query(texts[0])[1]
        if len(texts) <= QUERY_ALTERNATIVES:
            return self._recent_alternatives.get(tuple(texts), lambda: self._words(texts))
        return self._words(texts)

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The joint and the words embedding of one text, computed together and once for the
        last few texts: a search asks for both of its query's at the same moment, on two
        threads (the sound ranking and the meaning of names), and with a UCS bridge
        :meth:`embed_text` asks for the words too."""
        both = self._recent_queries.get(text, lambda: np.concatenate(self._joint_and_words(text), axis=-1))
        cut = self.model.cfg.embed_dim
        return both[:, :cut], both[:, cut:]

    def _text_tower_in(self, dtype: torch.dtype) -> torch.nn.Module:
        """The model's text tower, or a copy of it in ``dtype`` for queries alone. A query is a
        few tokens, so its pass reads every weight for little arithmetic: bf16 halves what is
        read, which is what a query waits for once the weights are out of cache (all-MiniLM-L6-v2
        on this project's AMX CPU inside bench/bench_search.py's searches: 9.5 -> 6.6 ms p50;
        alone in a 480 MB L3 the two are alike), embeddings at cosine 0.99994 with fp32's. A copy,
        not the tower itself: batches (tag prompts, names), captions and the trainer keep the
        fp32 weights; it costs half the tower's size in memory (45 MB for MiniLM's 22.6 M
        weights). The copy is taken now: a caller that goes on training the model gets queries
        from the weights it gave."""
        if dtype == torch.float32:
            return self.model.text
        return copy.deepcopy(self.model.text).to(dtype)

    @torch.inference_mode()
    def _joint_and_words(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A frozen tower's pass over the text twice, a batch of two: the first row causal
        as the model runs it, the second bidirectional as the tower was pretrained (a 4D
        attention mask, which transformers takes as given). One thread's work instead of two's:
        MiniLM, bench/bench_search.py at 1M windows, 25/30 ms p50/p95 against 25/46 ms for the
        two passes at once on two threads, which the rest of the search also wants. A tower
        trained with the model has no words of its own: its joint embedding serves as both."""
        batch = self.tokenize([text])
        ids, valid = batch["input_ids"], batch["attention_mask"].bool()  # one text: no padding
        if not self.model.cfg.text_frozen:
            joint = self.model.project_text(self._query_tower(ids, batch["attention_mask"]).float(), valid)
            joint = joint.float().cpu().numpy()
            return joint, joint
        causal = torch.ones(ids.shape[1], ids.shape[1], dtype=torch.bool, device=self.device).tril()
        states = self._query_tower(ids.expand(2, -1), torch.stack([causal, torch.ones_like(causal)])[:, None]).float()
        joint = self.model.project_text(states[:1], valid)
        return joint.float().cpu().numpy(), l2_normalise(states[1:].mean(1).cpu().numpy())

    @torch.inference_mode()
    def _words(self, texts: list[str]) -> np.ndarray:
        if not self.model.cfg.text_frozen:
            return self._joint_text(texts)
        batch = self.tokenize(texts)
        states = self._sentence_tower()(**batch).last_hidden_state
        mask = batch["attention_mask"][..., None].to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1)
        return l2_normalise(pooled.float().cpu().numpy())

    def _sentence_tower(self) -> torch.nn.Module:
        """The text tower's own weights in a module built bidirectional (made on first use)."""
        with self._bidirectional_lock:
            if self._bidirectional is None:
                self._bidirectional = self._build_sentence_tower()
        return self._bidirectional

    def _build_sentence_tower(self) -> torch.nn.Module:
        """Shares the tower's tensors (``assign``), so it costs no second copy of MiniLM and is
        made in ~10 ms: skipping the random initialisation the weights would replace saves 350 ms
        on the first search."""
        from transformers import AutoModel
        from transformers.initialization import no_init_weights

        config = copy.deepcopy(self.model.text.model.config)
        config.is_decoder = False
        with no_init_weights():
            tower = AutoModel.from_config(config, add_pooling_layer=False)
        tower.load_state_dict(self.model.text.model.state_dict(), assign=True)
        return tower.to(self.device).eval()

    @torch.inference_mode()
    def describe(self, clips: list[np.ndarray], options: CaptionOptions | None = None) -> list[GeneratedCaption]:
        options = options or CaptionOptions()
        if self.model.caption_decoder is None:
            return super().describe(clips, options)
        _, audio_tokens, audio_valid = self.model.embed_audio(*self._at_model_rate(*pad_batch(clips, self.device)))

        def step(ids: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
            mask = torch.ones_like(ids)
            states = self.model.text(ids, mask)
            logits = self.model.caption_logits(
                states, mask.bool(), audio_tokens[rows], None if audio_valid is None else audio_valid[rows]
            )[:, -1]
            return torch.log_softmax(logits.float(), dim=-1)

        tok = self.tokenizer
        start = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
        stop = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
        seeds = [content_seed(c) for c in clips] if options.method == "sample" else None  # beam search draws none
        return [
            GeneratedCaption(tok.decode(d.tokens, skip_special_tokens=True).strip(), d.mean_logprob)
            for d in decode(step, len(clips), start, stop, options, self.device, seeds)
        ]
