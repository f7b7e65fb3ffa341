"""Random crops of log-mels with one caption each, and the loader that batches them.

All per-sample randomness (crop position, which caption, tag captions) comes from a
``random.Random`` seeded by (seed, epoch, item index), so a run is reproducible whatever
the number of loader workers or ranks, and a resumed run sees the same data it would have.

A clip that cannot be read (deleted, its drive unplugged, damaged since the corpus was made)
does not end the run: it is left out with a warning naming it, its place in the batch taken by
another clip that reads. A library fine-tune runs for hours on files the user keeps using.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from trainer.data.audio import AudioDecodeError
from trainer.data.keywords import keyword_caption
from trainer.data.manifest import Item
from trainer.data.melcache import MelSource

log = logging.getLogger(__name__)

MAX_UNREADABLE_IN_A_ROW = 8  # clips tried for one place in a batch: more unreadable is a lost drive, not a file


class CropDataset(Dataset):
    """(epoch, index) -> {"mel": (frames<=crop, n_mels) float32, "caption": str, "index": int},
    plus "teacher": the clip's distillation target when ``teacher`` maps audio paths to them
    (a clip without one is left out)."""

    def __init__(
        self,
        items: list[Item],
        mel: MelSource,
        crop_frames: int,
        seed: int = 0,
        keyword_caption_prob: float = 0.0,
        need_captions: bool = True,
        teacher: dict[Path, np.ndarray] | None = None,
    ):
        items = self.trainable(items, need_captions)
        if teacher is not None:  # a clip the teacher could not read has no target (teacher_targets named it)
            items = [item for item in items if item.audio in teacher]
        if not items and need_captions:
            raise ValueError("no item has a caption or tags to train on")
        self.items = items
        self.mel = mel
        self.crop_frames = crop_frames
        self.seed = seed
        self.keyword_caption_prob = keyword_caption_prob
        self.need_captions = need_captions
        self.teacher = teacher
        self.unreadable: set[Path] = set()  # warned about once each

    @staticmethod
    def trainable(items: list[Item], need_captions: bool) -> list[Item]:
        """The items a stage can use: those with captions or tags, unless captions are not needed."""
        return [item for item in items if item.captions or item.tags] if need_captions else items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: tuple[int, int]) -> dict:
        """``key`` is (epoch, item index): the epoch reseeds the crop and caption choice. An
        unreadable clip's place is taken by another drawn at random (seeded by the key, so a
        resumed run draws the same; not the next one, since a deleted folder's clips sit together),
        sampled as it would be for itself."""
        epoch, index = key
        draw = random.Random(f"{self.seed}-{epoch}-{index}-substitute")
        position, failures = index, []
        while True:
            try:
                return self._sample(epoch, position)
            except (AudioDecodeError, ValueError, OSError) as error:
                failures.append(f"{self.items[position].audio}: {error}")
                self._warn(self.items[position].audio, error)
            if len(failures) == min(MAX_UNREADABLE_IN_A_ROW, len(self.items)):
                raise RuntimeError(f"{len(failures)} training clips in a row cannot be read: " + "; ".join(failures))
            position = draw.randrange(len(self.items))

    def _warn(self, audio: Path, error: Exception) -> None:
        if audio not in self.unreadable:
            self.unreadable.add(audio)
            log.warning("%s: left out of training: %s", audio, error)

    def _sample(self, epoch: int, index: int) -> dict:
        item = self.items[index]
        rng = random.Random(f"{self.seed}-{epoch}-{index}")
        total = self.mel.num_frames(item.audio)
        start = rng.randint(0, max(total - self.crop_frames, 0))
        mel = self.mel.crop(item.audio, start, min(self.crop_frames, total))
        sample = {"mel": torch.from_numpy(np.ascontiguousarray(mel)), "index": index}
        if self.teacher is not None:
            sample["teacher"] = torch.from_numpy(self.teacher[item.audio])
        if self.need_captions:
            sample["caption"] = self.pick_caption(item, rng)
        return sample

    def pick_caption(self, item: Item, rng: random.Random) -> str:
        use_tags = item.tags and (not item.captions or rng.random() < self.keyword_caption_prob)
        return keyword_caption(item.tags, rng) if use_tags else rng.choice(item.captions)


@dataclass
class Collate:
    """Pads log-mels to the longest in the batch and tokenizes captions (runs in the workers)."""

    tokenizer: object | None = None
    max_text_tokens: int = 77

    def __call__(self, samples: list[dict]) -> dict:
        frames = torch.tensor([len(s["mel"]) for s in samples])
        mel = torch.zeros(len(samples), max(int(frames.max()), 1), samples[0]["mel"].shape[-1])
        for row, sample in enumerate(samples):
            mel[row, : len(sample["mel"])] = sample["mel"]
        batch = {"mel": mel, "frames": frames, "index": torch.tensor([s["index"] for s in samples])}
        if "teacher" in samples[0]:
            batch["teacher"] = torch.stack([s["teacher"] for s in samples])
        if self.tokenizer is not None and "caption" in samples[0]:
            captions = [s["caption"] for s in samples]
            tokens = self.tokenizer(
                captions, padding=True, truncation=True, max_length=self.max_text_tokens, return_tensors="pt"
            )
            batch |= {
                "input_ids": tokens["input_ids"],
                "attention_mask": tokens["attention_mask"],
                "captions": captions,
            }
        return batch


class StepBatches(Sampler[list[tuple[int, int]]]):
    """Endless global batches, step after step: each epoch a seeded permutation cut into
    batches (the last partial one dropped), each rank taking its contiguous slice of every
    batch. Starting at ``start_step`` resumes exactly where a run stopped."""

    def __init__(self, size: int, global_batch: int, seed: int, rank: int = 0, world: int = 1, start_step: int = 0):
        if global_batch % world:
            raise ValueError(f"batch_size {global_batch} must be divisible by the {world} processes")
        if size < global_batch:
            raise ValueError(
                f"{size} training items are fewer than one batch of {global_batch}: lower batch_size or add data"
            )
        self.size, self.global_batch, self.seed = size, global_batch, seed
        self.rank, self.world, self.start_step = rank, world, start_step
        self.steps_per_epoch = size // global_batch

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        local = self.global_batch // self.world
        step = self.start_step
        while True:
            epoch, first = divmod(step, self.steps_per_epoch)
            order = torch.randperm(self.size, generator=torch.Generator().manual_seed(self.seed * 100_003 + epoch))
            for b in range(first, self.steps_per_epoch):
                chunk = order[b * self.global_batch : (b + 1) * self.global_batch]
                yield [(epoch, i) for i in chunk[self.rank * local : (self.rank + 1) * local].tolist()]
                step += 1


def one_thread_per_worker(_: int) -> None:
    torch.set_num_threads(1)  # N workers x all cores each would starve the training process


def step_loader(dataset: CropDataset, collate: Collate, sampler: StepBatches, num_workers: int = 0) -> DataLoader:
    """One loader for the whole run (workers persist across epochs)."""
    return DataLoader(
        dataset,
        batch_sampler=sampler,
        collate_fn=collate,
        num_workers=num_workers,
        pin_memory=torch.cuda.is_available(),
        persistent_workers=num_workers > 0,
        prefetch_factor=4 if num_workers else None,
        worker_init_fn=one_thread_per_worker if num_workers else None,
    )
