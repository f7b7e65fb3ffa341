"""Turning a caption decoder's next-token scores into text: beam search or temperature sampling.

Both work on any decoder through one ``step`` function, ``step(ids, rows) -> log-probs``:
``ids`` (n, length) are the prefixes so far, ``rows`` (n,) says which clip each prefix
belongs to, and the answer is the (n, vocabulary) log-probabilities of the next token.

* **Beam search** keeps the ``beams`` best prefixes per clip and ends with the finished one
  of best length-normalised log-probability (the captioning baselines of cacophony.txt use 3).
* **Temperature sampling** draws each token from softmax(logits / T); the paper samples at
  T = 0.1, which is nearly greedy. Each clip draws from a generator of its own, seeded by the
  options' seed and the clip's own ``seeds`` entry (the backend: a hash of its audio), so a file's
  caption is the same whichever files it is captioned with.

Every caption comes back with its mean token log-probability: how sure the decoder was,
which the tagger turns into the caption's confidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from engine.models.base import CaptionOptions

Step = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Decoded:
    tokens: list[int]  # without the start and stop tokens
    mean_logprob: float  # per generated token, the stop token included when the caption ended with one


def decode(
    step: Step,
    clips: int,
    start: int,
    stop: int,
    options: CaptionOptions,
    device: torch.device | str = "cpu",
    seeds: Sequence[int] | None = None,
) -> list[Decoded]:
    """One caption per clip; ``seeds`` (one per clip, default its position) seed its sampling."""
    if options.method == "beam":
        return [beam_search(step, row, start, stop, options, device) for row in range(clips)]
    return sample(step, clips, start, stop, options, device, range(clips) if seeds is None else seeds)


def beam_search(
    step: Step, row: int, start: int, stop: int, options: CaptionOptions, device: torch.device | str = "cpu"
) -> Decoded:
    """The best caption of one clip."""
    ids = torch.full((1, 1), start, dtype=torch.long, device=device)
    scores = torch.zeros(1, device=device)
    finished: list[tuple[float, list[int], float, int]] = []  # (normalised score, tokens, log-prob sum, scored tokens)
    for length in range(1, options.max_tokens + 1):
        logprobs = step(ids, torch.full((len(ids),), row, dtype=torch.long, device=device))
        total = (scores[:, None] + logprobs).reshape(-1)
        best, flat = total.topk(min(2 * options.beams, total.numel()))
        vocabulary = logprobs.shape[1]
        keep_ids, keep_scores = [], []
        for score, index in zip(best.tolist(), flat.tolist(), strict=True):
            beam, token = divmod(index, vocabulary)
            if token == stop:
                finished.append((score / length**options.length_penalty, ids[beam, 1:].tolist(), score, length))
            else:
                keep_ids.append(torch.cat([ids[beam], ids.new_tensor([token])]))
                keep_scores.append(score)
            if len(keep_ids) == options.beams:
                break
        best_finished = max((f[0] for f in finished), default=float("-inf"))
        best_open = max(keep_scores, default=float("-inf")) / length**options.length_penalty
        if not keep_ids or (len(finished) >= options.beams and best_finished >= best_open):
            break  # the usual stopping rule: the best open beam, scored at its length, trails the finished
        ids, scores = torch.stack(keep_ids), torch.tensor(keep_scores, device=device)
    else:
        for beam in range(len(ids)):  # ran out of tokens: the open beams count as finished
            length = ids.shape[1] - 1
            score = float(scores[beam])
            finished.append((score / length**options.length_penalty, ids[beam, 1:].tolist(), score, length))
    _, tokens, total, scored = max(finished, key=lambda f: f[0])
    return Decoded(tokens, total / scored)  # per token scored: the stop token's too, when there was one


def sample(
    step: Step,
    clips: int,
    start: int,
    stop: int,
    options: CaptionOptions,
    device: torch.device | str,
    seeds: Sequence[int],
) -> list[Decoded]:
    """One caption per clip, each token drawn at ``options.temperature`` by the clip's own generator."""
    generators = [
        torch.Generator(device=device).manual_seed((options.seed * 1_000_003 + seed) % 2**63) for seed in seeds
    ]
    ids = torch.full((clips, 1), start, dtype=torch.long, device=device)
    rows = torch.arange(clips, device=device)
    done = torch.zeros(clips, dtype=torch.bool, device=device)
    total = torch.zeros(clips, device=device)
    counted = torch.zeros(clips, device=device)
    for _ in range(options.max_tokens):
        logprobs = step(ids, rows)
        probabilities = torch.softmax(logprobs / options.temperature, dim=-1)
        token = torch.cat(
            [torch.multinomial(p, 1, generator=g) for p, g in zip(probabilities, generators, strict=True)]
        )
        token = torch.where(done, torch.full_like(token, stop), token)
        total += torch.where(done, 0.0, logprobs.gather(1, token[:, None])[:, 0])
        counted += (~done).float()
        ids = torch.cat([ids, token[:, None]], dim=1)
        done |= token == stop
        if done.all():
            break
    out = []
    for row in range(clips):
        tokens = ids[row, 1:].tolist()
        tokens = tokens[: tokens.index(stop)] if stop in tokens else tokens
        out.append(Decoded(tokens, float(total[row] / counted[row].clamp(min=1))))
    return out
