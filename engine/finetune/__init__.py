"""Fine-tuning the model on the user's library, seen from the engine: the job folder the trainer
process writes (:mod:`engine.finetune.job`) and launching, watching, cancelling and adopting it
(:mod:`engine.finetune.launcher`). The training itself is ``earmark-train library-finetune``
(trainer/library); the engine never imports the trainer, it runs it as a separate process.

Importing the package loads nothing: the app reads job states from ``job`` at start, and each
name below is imported from its module on first use."""

from importlib import import_module

_HOMES = {"FinetuneStatus": "job", "JobFolder": "job", "Finetuner": "launcher", "FinetuneUnavailable": "launcher"}
__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
