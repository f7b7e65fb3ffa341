"""shown_name: the one name the app's status bar and the CLI give a model spec."""

from __future__ import annotations

from engine.models.registry import shown_name


def test_a_model_is_named_by_what_the_user_can_type_for_it(tiny_clap, tmp_path):
    assert shown_name(None) == shown_name("builtin") == "builtin"
    assert shown_name(str(tmp_path / "models" / "named-2026-12-06-1302")) == "named-2026-12-06-1302"
    assert shown_name(f"{tmp_path}/models/library-mine/") == shown_name("library-mine") == "library-mine"
    assert shown_name("clap:laion/larger_clap_general") == "clap:laion/larger_clap_general"  # a hub id
    assert shown_name(f"clap:{tiny_clap}") == f"clap:{tiny_clap.name}"  # a saved CLAP folder
