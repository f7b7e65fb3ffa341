"""Speech from espeak-ng: several voices, languages and speeds, captioned with who speaks which
language ("a woman speaking French") and, in English, what is said."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from trainer.corpus.clips import MAX_SAMPLES, SAMPLE_RATE, Clip, write_clip
from trainer.corpus.packages import debian_tool

# espeak-ng voice variant -> who is heard.
VOICES = {
    "+m3": "a man",
    "+f2": "a woman",
    "+m7": "a man with a deep voice",
    "+f4": "a woman",
    "+whisper": "a person whispering",
}
SPEEDS = {120: "slowly", 170: "", 240: "quickly"}

SENTENCES = {
    "en": (
        "English",
        (
            "the door is open",
            "please close the window",
            "where is the train station",
            "good morning, how are you today",
            "the weather is very nice",
            "turn left at the corner",
            "I can hear the rain outside",
            "the meeting starts at nine o'clock",
            "watch out, the floor is wet",
            "thank you very much",
            "one, two, three, four, five",
            "attention please, the train is arriving",
            "can you help me",
            "game over",
            "level complete",
            "welcome back",
            "mission accomplished",
            "ready, set, go",
        ),
    ),
    "fr": ("French", ("bonjour, comment allez-vous", "il fait très beau aujourd'hui", "où est la gare")),
    "de": ("German", ("guten Morgen, wie geht es Ihnen", "das Wetter ist heute sehr schön", "wo ist der Bahnhof")),
    "es": ("Spanish", ("buenos días, ¿cómo está usted?", "hace muy buen tiempo hoy", "¿dónde está la estación?")),
    "it": ("Italian", ("buongiorno, come sta", "oggi il tempo è molto bello", "dov'è la stazione")),
    "pt": ("Portuguese", ("bom dia, como está", "o tempo está muito bom hoje", "onde fica a estação")),
    "nl": ("Dutch", ("goedemorgen, hoe gaat het", "het weer is vandaag erg mooi", "waar is het station")),
    "sv": ("Swedish", ("god morgon, hur mår du", "vädret är mycket fint i dag", "var ligger stationen")),
    "pl": ("Polish", ("dzień dobry, jak się masz", "dzisiaj jest bardzo ładna pogoda", "gdzie jest dworzec")),
    "ru": ("Russian", ("доброе утро, как дела", "сегодня очень хорошая погода", "где находится вокзал")),
    "el": ("Greek", ("καλημέρα, τι κάνετε", "ο καιρός είναι πολύ ωραίος σήμερα", "πού είναι ο σταθμός")),
    "tr": ("Turkish", ("günaydın, nasılsınız", "bugün hava çok güzel", "istasyon nerede")),
    "fi": ("Finnish", ("hyvää huomenta, mitä kuuluu", "tänään on todella kaunis sää", "missä on asema")),
    "cs": ("Czech", ("dobré ráno, jak se máte", "dnes je velmi hezké počasí", "kde je nádraží")),
    "hu": ("Hungarian", ("jó reggelt, hogy van", "ma nagyon szép az idő", "hol van a pályaudvar")),
    "hi": ("Hindi", ("नमस्ते, आप कैसे हैं", "आज मौसम बहुत अच्छा है", "रेलवे स्टेशन कहाँ है")),
    "cmn": ("Mandarin Chinese", ("早上好，你好吗", "今天天气很好", "火车站在哪里")),
    "ar": ("Arabic", ("صباح الخير، كيف حالك", "الطقس جميل جدا اليوم", "أين محطة القطار")),
    "ja": ("Japanese", ("おはようございます", "今日はとてもいい天気です", "駅はどこですか")),
    "sw": ("Swahili", ("habari za asubuhi", "hali ya hewa ni nzuri leo", "kituo cha treni kiko wapi")),
}


def speak(text: str, voice: str, speed: int) -> np.ndarray:
    debian_tool("espeak-ng", "espeak-ng", "the speech clips")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True, capture_output=True
        )
        samples, rate = sf.read(wav, dtype="float32")
    return soxr.resample(samples, rate, SAMPLE_RATE)[:MAX_SAMPLES]


def captions(who: str, language: str, text: str, speed_word: str) -> list[str]:
    how = f" {speed_word}" if speed_word else ""
    verb = "in" if "whispering" in who else "speaking"
    out = [f"{who} {verb} {language}{how}", f"{language} speech", "speech"]
    if language == "English":
        out.insert(1, f'{who.split(" with ")[0]} saying "{text}"')
    return out


def build(out: Path) -> list[Clip]:
    clips = []
    for code, (language, texts) in SENTENCES.items():
        for number, text in enumerate(texts):
            for voice, who in VOICES.items():
                for speed, speed_word in SPEEDS.items():
                    if code != "en" and speed != 170 and voice != "+f2":
                        continue  # every language at normal speed; speed changes on one voice
                    samples = speak(text, code + voice, speed)
                    tag = voice.strip("+")
                    relative = write_clip(out, f"speech/{code}/{number:02d}-{tag}-{speed}.wav", samples)
                    tags = ["speech", language.lower(), "whisper" if "whisper" in who else who.split()[1]]
                    clips.append(
                        Clip(
                            relative,
                            captions(who, language, text, speed_word),
                            tags,
                            f"speech/{code}/{number}/{tag}/{speed}",
                            kind="speech",
                            exact_pitch=True,
                        )
                    )
    return clips
