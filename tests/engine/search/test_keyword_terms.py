"""Keyword search for what a library names its own way, on a real LanceDB (review 17): a game-audio
term by its kin, a particle beside its verb, a name run together as sound words."""

from __future__ import annotations

from engine.search import Searcher
from tests.engine.index.index_factories import record


def names(hits) -> list[str]:
    return [h.name for h in hits]


def test_a_power_up_is_found_by_its_kin_and_not_by_a_lone_up(store):
    """Review 17, H: "power up pickup" listed pull-up.wav, up.wav, "push up 1.wav" and guitar strums
    "Gminor_UP" first, each holding its "up", and no power-up among its first 30: the library named
    them bonus.wav. A file named by the term comes before one named by its kin."""
    store.upsert_files(
        [
            record(name)
            for name in ("pull-up.wav", "up.wav", "push up 1.wav", "Gminor_UP_03.flac", "power_plant_hum.wav")
        ]
        + [record(name) for name in ("njam/bonus.wav", "netpanzer/powerup.wav", "rain.wav")]
    )
    searcher = Searcher(store, None)
    for query in ("power up", "power-up", "powerup"):
        assert names(searcher.search(query)) == ["powerup.wav", "bonus.wav"], query
    found = searcher.search("power up pickup")
    assert set(names(found)) == {"powerup.wav", "bonus.wav"} and found.unheld == ()
    assert names(searcher.search("power")) == ["powerup.wav", "power_plant_hum.wav"]  # alone, any power


def test_footsteps_on_snow_are_found_by_their_run_together_name(store):
    """Review 17, M: berusky2's stepsnow2.wav was read "steps now 2" and ranked below the steps on
    grass and wood for "footsteps snow", which it holds both words of."""
    store.upsert_files([record(name) for name in ("stepsnow2.wav", "stepsgrass.wav", "stepswood.wav", "push snow.wav")])
    searcher = Searcher(store, None)
    assert names(searcher.search("footsteps snow"))[0] == "stepsnow2.wav"
    assert names(searcher.search("sand")) == []  # nor is "stepsnow" a step on sand


def test_a_drum_kit_is_found_by_its_shorthand_and_a_kick_as_a_kick_drum(store):
    """Review 18, H1: a drum kit's BD_Acou_01.wav was not among the first ten of "bass drum" or
    "kick drum", behind bass guitars and drum-beep.wav, and drum-beep.wav came before
    Snr_Acou_01.wav for "snare": BD, Snr and Acou are a kit's shorthand; a kick is a kick drum
    (it holds both words), and a bass alone is a guitar, no word of "bass drum"."""
    store.upsert_files(
        [
            record(name)
            for name in ("BD_Acou_01.wav", "Snr_Acou_01.wav", "drum-beep.wav", "FenderBass.wav", "kick_lo.wav")
        ]
    )
    searcher = Searcher(store, None)
    assert names(searcher.search("kick drum"))[:3] == ["BD_Acou_01.wav", "kick_lo.wav", "drum-beep.wav"]
    bass_drum = names(searcher.search("bass drum"))
    assert bass_drum[0] == "BD_Acou_01.wav" and "FenderBass.wav" not in bass_drum
    assert names(searcher.search("snare")) == ["Snr_Acou_01.wav"]
    assert names(searcher.search("bass")) == ["FenderBass.wav", "BD_Acou_01.wav"]  # alone, any bass
