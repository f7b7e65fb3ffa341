"""The synthesised and rendered sources say what they contain."""

import numpy as np
import pytest

from trainer.corpus import gm, signals, speech
from trainer.corpus.clips import MAX_SAMPLES, SAMPLE_RATE, segments, split_for
from trainer.corpus.gm_names import DRUMS, PROGRAMS, plain_name


def peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)[spectrum.argmax()])


def test_named_pitch_is_the_frequency_played():
    assert signals.note_name(69) == "A4"
    assert peak_hz(signals.tone(signals.midi_hz(69), 1.0)) == pytest.approx(440, abs=2)


def test_noise_colours_tilt_as_named():
    rng = np.random.default_rng(0)

    def low_high_ratio(colour):
        power = np.abs(np.fft.rfft(signals.noise(colour, 2.0, rng))) ** 2
        f = np.fft.rfftfreq(2 * SAMPLE_RATE, 1 / SAMPLE_RATE)
        return power[(f > 100) & (f < 200)].mean() / power[(f > 4000) & (f < 8000)].mean()

    white, pink, brown = (low_high_ratio(c) for c in ("white", "pink", "brown"))
    assert white < 2 < pink < brown


def test_sweep_direction():
    up = signals.sweep(200, 3200, 1.0)
    assert peak_hz(up[:4000]) < peak_hz(up[-4000:])


def test_segments_cut_long_audio_and_drop_silence_keeping_window_numbers():
    loud = np.ones(SAMPLE_RATE * 25, dtype=np.float32) * 0.1
    loud[MAX_SAMPLES : 2 * MAX_SAMPLES] = 0  # the second 10.24 s window is silence
    pieces = segments(loud, max_segments=3)
    assert [window for window, _ in pieces] == [0, 2]  # the third window is still window 2
    assert [len(piece) for _, piece in pieces] == [MAX_SAMPLES, len(loud) - 2 * MAX_SAMPLES]
    assert len(segments(np.zeros(SAMPLE_RATE, dtype=np.float32), 3)) == 0


def test_split_is_stable_and_roughly_the_asked_share():
    sources = [f"file{i}" for i in range(2000)]
    splits = [split_for(s, 10) for s in sources]
    assert splits == [split_for(s, 10) for s in sources]
    assert 0.07 < splits.count("val") / len(splits) < 0.13


def test_gm_names():
    assert len(PROGRAMS) == 128 and len(DRUMS) == 47
    assert plain_name("Acoustic Guitar (nylon)") == "nylon acoustic guitar"
    assert plain_name("Slap Bass 1") == "slap bass"


def test_midi_file_is_a_valid_smf_with_every_note():
    events = gm.program_events("trumpet")
    data = gm.midi_file(0, 56, 0, events)
    assert data[:4] == b"MThd" and data[14:18] == b"MTrk"
    notes = sum(len(e.notes) for e in events)
    assert data.count(bytes([0x90])) >= notes  # a note-on status byte per note (running status unused)


def test_rendered_piano_note_sounds_in_its_slot(tmp_path):
    events = gm.program_events("acoustic grand piano")[:2]
    audio = gm.render(gm.midi_file(0, 0, 0, events), len(events))
    clips = gm.cut(tmp_path, "gm/piano", audio, events, "gm")
    assert len(clips) == 2 and clips[0].captions[0] == "a low acoustic grand piano note (A2), soft"
    first = audio[: int(gm.SLOT_SECONDS * SAMPLE_RATE)]
    assert peak_hz(first[:SAMPLE_RATE]) == pytest.approx(110, rel=0.03)  # A2


def test_speech_is_audible_16k_and_captioned():
    samples = speech.speak("the door is open", "en+f2", 170)
    assert 0.5 * SAMPLE_RATE < len(samples) < 4 * SAMPLE_RATE and np.abs(samples).max() > 0.1
    assert speech.captions("a woman", "French", "bonjour", "")[0] == "a woman speaking French"
    assert speech.captions("a person whispering", "German", "x", "")[0] == "a person whispering in German"
