"""Fine-tuning the model on the user's library, seen from the engine: the job folder the trainer
process writes (:mod:`engine.finetune.job`) and launching, watching, cancelling and adopting it
(:mod:`engine.finetune.launcher`). The training itself is ``earmark-train library-finetune``
(trainer/library); the engine never imports the trainer, it runs it as a separate process."""
from engine.finetune.job import FinetuneStatus, JobFolder
from engine.finetune.launcher import Finetuner, FinetuneUnavailable

__all__ = ["FinetuneStatus", "Finetuner", "FinetuneUnavailable", "JobFolder"]
