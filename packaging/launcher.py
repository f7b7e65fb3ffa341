"""PyInstaller's entry script: the bundle starts the app exactly as ``earmark-app`` does, and runs
the trainer when the app starts itself as ``<bundle> -m trainer.cli ...`` for a fine-tune (the
command a source install runs with Python; engine/finetune/launcher.py)."""

import multiprocessing
import sys

TRAINER = ["-m", "trainer.cli"]

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a fine-tune's data loader workers, where processes are spawned
    if sys.argv[1:3] == TRAINER:
        from trainer.cli import main as trainer_main

        sys.exit(trainer_main(sys.argv[3:]))
    from app.main import main

    sys.exit(main())
