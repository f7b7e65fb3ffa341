"""Settings survive restarts, and a damaged file never stops the app from starting."""

from __future__ import annotations

import json

from engine.settings import Settings


def test_round_trip(tmp_path):
    path = tmp_path / "config" / "settings.json"
    Settings(model_spec="clap:laion/larger_clap_general", embed_batch_size=8).save(path)
    loaded = Settings.load(path)
    assert loaded.model_spec == "clap:laion/larger_clap_general" and loaded.embed_batch_size == 8
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left behind


def test_missing_damaged_and_foreign_values_fall_back_to_defaults(tmp_path):
    path = tmp_path / "settings.json"
    assert Settings.load(path) == Settings()
    path.write_text("{not json")
    assert Settings.load(path) == Settings()
    path.write_text(
        json.dumps({"model_spec": 3, "watch_debounce_s": 2, "from_a_newer_version": True, "device": "cuda"})
    )
    loaded = Settings.load(path)
    assert loaded.model_spec == "builtin" and loaded.watch_debounce_s == 2 and loaded.device == "cuda"
