"""Caption cleaning of sample names from the packages the corpus is built from."""

import pytest

from trainer.corpus.captions import package_words, path_caption, sound_captions


@pytest.mark.parametrize(
    "path, package, name, context",
    [
        ("sounds/weapons/shotgun_fire02.ogg", "redeclipse-data", "shotgun fire", ["weapons"]),
        (
            "usr/share/games/hedgewars/Data/Sounds/voices/Classic/Ooff1.ogg",
            "hedgewars-data",
            "ooff",
            ["classic", "voices"],
        ),
        ("usr/share/games/lincity-ng/sounds/RailTrain2.wav", "lincity-ng-data", "rail train", []),
        (
            "usr/share/games/megaglest/techs/megapack/factions/egypt/units/mummy/sounds/mummy_ack5.wav",
            "megaglest-data",
            "mummy ack",
            ["mummy", "egypt"],
        ),
        # A bare number names nothing: the nearest meaningful folder does.
        ("usr/share/games/widelands/data/sound/animals/bird/03.ogg", "widelands-data", "bird", ["animals"]),
        # The game's own name is not a sound word.
        ("usr/share/games/supertuxkart/data/sfx/supertuxkart_jump.ogg", "supertuxkart-data", "jump", []),
        # 0 A.D.'s "civ" (civilian) folder says nothing about the sound.
        (
            "usr/share/games/0ad/mods/public/public/audio/voice/persian/civ/civ_female_fish_1.ogg",
            "0ad-data",
            "female fish",
            ["persian", "voice"],
        ),
        # A voice folder further up than the context still counts: the sound is a spoken line.
        ("sounds/voices/pirate/angry/arr.ogg", "toygame-data", "arr", ["angry", "pirate", "voices"]),
    ],
)
def test_path_caption(path, package, name, context):
    assert path_caption(path, package_words(package)) == (name, context)


def test_voice_pack_lines_become_speech_captions():
    captions = sound_captions("uh oh", ["hill billy", "voices"])
    assert captions[0] == 'a cartoon voice saying "uh oh"'


def test_music_is_captioned_as_music():
    assert sound_captions("freeway", ["music"])[0] == "freeway, game music"


def test_plain_effect_keeps_its_name_first_and_context_after():
    assert sound_captions("arrow hit", ["archer"]) == ["arrow hit", "arrow hit, archer", "arrow hit, game sound effect"]
