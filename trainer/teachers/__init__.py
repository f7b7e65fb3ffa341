"""Pretrained audio-only teachers whose clip vectors the audio tower is distilled towards
(``teacher`` / ``teacher_weight`` in :class:`trainer.config.TrainConfig`).

A teacher class has ``name`` (its cache key), ``sample_rate``, ``dim`` and
``embed(wave, sample_rate) -> (dim,)`` L2-normalised vector; constructing one loads its
weights, so it is built only when a vector is not cached yet. Classes are imported on
demand: this module stays light enough for the config and the command line.
"""

from __future__ import annotations

import importlib

TEACHERS = {"aisfx": "trainer.teachers.aisfx:AisfxTeacher"}


class TeacherUnavailable(ImportError):
    """The package a teacher's network comes from is not installed."""


def teacher_class(name: str) -> type:
    if name not in TEACHERS:
        raise ValueError(f"unknown teacher {name!r}; known: {sorted(TEACHERS)}")
    module, attr = TEACHERS[name].split(":")
    return getattr(importlib.import_module(module), attr)
