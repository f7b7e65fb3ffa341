"""The builtin model's training corpus, rebuilt from public sources anyone can fetch offline-free
of hubs: sound effects inside Debian game-data packages, General MIDI rendered with fluidsynth,
espeak-ng speech and synthesised signals, multiplied by augmentation (issue 4).

Nothing here is committed audio: ``python -m trainer.corpus build --out data/corpus`` writes
16 kHz mono clips of at most 10.24 s and a JSONL manifest the trainer reads.
"""
