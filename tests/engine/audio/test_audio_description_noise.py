"""The Description (described) says what a file's metadata says of its sound: not the stamp of the
tool that wrote it, a licence, a link, nor a bare credit of who made it, which stays searchable."""

from __future__ import annotations

import mutagen
import soundfile as sf
from mutagen.id3 import COMM, TIT2, TPE1
from mutagen.mp3 import MP3

from engine.audio.metadata import PROVENANCE, described, read_metadata
from engine.words import words
from tests.factories import tone, write_audio

CREAK = "Wooden door creaking slowly"


def ogg(path, **comments: str):
    """An Ogg Vorbis file with these Vorbis comments, in this order."""
    write_audio(path, tone(), sr=16_000, subtype="VORBIS", format="OGG")
    tagged = mutagen.File(path)
    for key, value in comments.items():
        tagged[key.upper()] = value
    tagged.save()
    return path


def description(path) -> str:
    return described(read_metadata(path).text, path.name)


def test_tool_stamps_licences_links_and_a_bare_credit_say_nothing(tmp_path):
    """The review's game library: "Processed by SoX" (165 of 1,035 sounds), "BartK", "remaxim",
    "Holly Daniel · CC-BY 3.0", licences and links filled the Description column."""
    sox = ogg(tmp_path / "ship-player1-shoot.ogg", comment="Processed by SoX")
    credit = ogg(tmp_path / "burn.ogg", artist="BartK")
    licensed = ogg(tmp_path / "female_merchant_04.ogg", artist="Holly Daniel", comments="CC-BY 3.0")
    linked = ogg(tmp_path / "river.ogg", artist="alexftw123", comment="http://www.freesound.org/people/x/sounds/1/")
    lmms = ogg(tmp_path / "win.ogg", comment="This song has been made using Linux MultiMedia Studio")
    with sf.SoundFile(tmp_path / "heal.wav", "w", 16_000, 1) as wav:  # RIFF INFO, as soundfile writes it
        wav.artist, wav.comment = "remaxim", "Licensed under the WTF Public License"
        wav.write(tone())
    for noise in (sox, credit, licensed, linked, lmms, tmp_path / "heal.wav"):
        assert description(noise) == "", noise.name
    # a credit is still a word of the file: searching the author's name finds their sounds
    assert {"bart", "k", "remaxim"} <= {
        *words(read_metadata(credit).text),
        *words(read_metadata(tmp_path / "heal.wav").text),
    }


def test_what_describes_the_sound_stays_with_its_credit_beside_it(tmp_path):
    door = write_audio(tmp_path / "door_open.mp3", tone(), sr=16_000)
    tagged = MP3(door)
    tagged.add_tags()
    for frame in (TPE1(encoding=3, text="BartK"), COMM(encoding=3, lang="eng", desc="", text=CREAK)):
        tagged.tags.add(frame)
    tagged.save()
    assert description(door) == f"{CREAK} · BartK"  # who made it, after what it is

    kettle = ogg(tmp_path / "kettle.ogg", artist="C Ford", comment="Electric kettle on the boil. CC-BY-SA")
    assert description(kettle) == "Electric kettle on the boil. · C Ford"  # the licence alone goes
    with sf.SoundFile(tmp_path / "wscream.wav", "w", 16_000, 1) as wav:
        wav.title, wav.comment = "Scream", "Processed by SoX | https://example.org/scream"
        wav.write(tone())
    assert description(tmp_path / "wscream.wav") == "Scream"
    title = write_audio(tmp_path / "creak.mp3", tone(), sr=16_000)
    tagged = MP3(title)
    tagged.add_tags()
    tagged.tags.add(TIT2(encoding=3, text=CREAK))
    tagged.save()
    assert description(title) == CREAK


def test_a_packagers_note_and_a_licence_spelled_out_say_nothing_of_the_sound(tmp_path):
    """Review 19: rockdodger's drip.wav says only "Modified from Debian package gnome-media-common."
    in its RIFF INFO comment; read as words, "debian package gnome media common" made it a voice."""
    with sf.SoundFile(tmp_path / "drip.wav", "w", 16_000, 1) as wav:  # RIFF INFO, as the package's file holds it
        wav.comment = "Modified from Debian package gnome-media-common."
        wav.write(tone())
    text = read_metadata(tmp_path / "drip.wav").text
    assert text == "Modified from Debian package gnome-media-common."  # still searchable as it is
    assert description(tmp_path / "drip.wav") == ""
    assert words(PROVENANCE.sub(" ", text)) == []  # what tagging reads of it
    spelled = ogg(tmp_path / "gold.ogg", comment="Coins clinking. Creative Commons Attribution-ShareAlike 3.0")
    assert description(spelled) == "Coins clinking."
    kept = ogg(tmp_path / "tap.ogg", comment="A tap dripping into a full sink, taken from the kitchen")
    assert description(kept) == "A tap dripping into a full sink, taken from the kitchen"
