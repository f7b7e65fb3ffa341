"""Sound effects from Debian game-data packages: ``apt-get download`` + extract, no install.

Only the audio members of each package's data tarball are extracted (``dpkg-deb
--fsys-tarfile | tar --wildcards``), which keeps a 860 MB package to the part we use. Some games
ship their sounds inside zip archives (Quake-engine ``.pk3``, 0 A.D.'s ``public.zip``,
Warzone 2100's ``.wz``): those are
extracted too, and then only their audio members unpacked. Two keep them in formats only their
own Debian tools read, which must then be on PATH: OpenClonk's ``Sound.ocg`` groups (``c4group``,
apt-get install openclonk) and Teeworlds' WavPack files (``wvunpack``, apt-get install wavpack).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from engine.audio.decode import AudioDecodeError, load_mono
from trainer.corpus.captions import package_words, path_caption, sound_captions
from trainer.corpus.clips import MAX_SECONDS, SAMPLE_RATE, Clip, segments, write_clip
from trainer.corpus.dedup import ContentIndex, content_key
from trainer.corpus.packages import check_trainable, debian_tool

log = logging.getLogger(__name__)

PACKAGES = (
    "hedgewars-data",
    "lincity-ng-data",
    "frozen-bubble-data",
    "extremetuxracer-data",
    "tuxpaint-data",
    "pingus-data",
    "supertuxkart-data",
    "supertux-data",
    "megaglest-data",
    "widelands-data",
    "redeclipse-data",
)
# The second corpus (builtin model from s10 on): everyday sounds (footsteps by surface, doors,
# glass, fire, wind), drum kits and sample packs, desktop and game interface sounds.
MORE_PACKAGES = (
    "ufoai-sound",
    "openarena-data",
    "sound-theme-freedesktop",
    "lmms-common",
    "sonic-pi-samples",
    "hydrogen-drumkits",
    "bzflag-data",
    "chromium-bsu-data",
    "endless-sky-data",
    "freeciv-data",
    "freecol",
    "manaplus-data",
    "pokerth-data",
    "tuxmath-data",
)
# The third (s11 on): 0 A.D.'s impacts, weapons, footsteps, animals, weather and voice lines.
ZERO_AD_PACKAGES = ("0ad-data",)
# The fourth (issue 18): more and wider, from games with cars, tanks, weapons, space and
# machines (warzone2100's sounds sit in .wz zip archives).
WIDER_PACKAGES = (
    "warzone2100-data",
    "nexuiz-data",
    "torcs-data",
    "naev-data",
    "asc-data",
    "ksirk",
    "bomber",
    "kbreakout",
)
# The fifth (issue 18): the two games an earlier sweep could not read, whose sounds are named
# by what they are (glass, wood, rock and metal hits, fire, bows; hammer and sword swings, guns).
PACKED_PACKAGES = ("openclonk-data", "teeworlds-data")
# The sixth (issue 18, 2026-12-05): every other Debian package found (apt-file) whose sounds are
# named by what they are, outside the reserved and evaluation lists and their near copies
# (trainer.corpus.packages.NEAR_COPIES). Left out: ddnet-data (its sounds are teeworlds-data's, byte
# for byte), libreoffice-common, and packages whose file names say nothing (key codes, numbers).
SWEEP_PACKAGES = (
    "scratch",
    "triplea",
    "micropolis-data",
    "heroes-sound-effects",
    "caveexpress-data",
    "enigma-data",
    "sdl-ball-data",
    "starfighter-data",
    "brainparty-data",
    "pekka-kana-2-data",
    "plee-the-bear-data",
    "garden-of-coloured-lights-data",
    "amphetamine-data",
    "pinball-table-gnu-data",
    "davegnukem-data",
    "mazeofgalious-data",
    "overgod-data",
    "etw-data",
    "ardentryst",
    "ukui-media",
    "sound-icons",
    "tworld-data",
    "seahorse-adventures",
    "solarwolf",
    "trophy-data",
    "dustracing2d-data",
    "meritous-data",
    "rrootage-data",
    "parsec47-data",
    "gunroar-data",
    "torus-trooper-data",
    "mu-cade-data",
    "excellent-bifurcation",
    "freegish-data",
    "icebreaker",
    "burgerspace",
    "whichwayisup",
    "jag",
    "gl-117-data",
    "val-and-rick-data",
    "mame-data",
)
PACKAGE_SETS = {
    "games": PACKAGES,
    "more": MORE_PACKAGES,
    "0ad": ZERO_AD_PACKAGES,
    "wider": WIDER_PACKAGES,
    "packed": PACKED_PACKAGES,
    "sweep": SWEEP_PACKAGES,
}
TRAINING_PACKAGES = tuple(p for packages in PACKAGE_SETS.values() for p in packages)  # all the sets, in order
AUDIO_SUFFIXES = frozenset({".ogg", ".oga", ".wav", ".flac", ".mp3", ".opus"})
ARCHIVE_SUFFIXES = frozenset({".pk3", ".zip", ".wz"})
GROUP_SUFFIX = ".ocg"  # an OpenClonk group; its sounds are in Sound.ocg, graphics and music in others
WAVPACK_SUFFIX = ".wv"
AUDIO_GLOBS = tuple(f"*{s}" for s in AUDIO_SUFFIXES | ARCHIVE_SUFFIXES | {WAVPACK_SUFFIX}) + (
    "*.OGG",
    "*.WAV",
    f"*Sound{GROUP_SUFFIX}",
)
_SOUNDS = "this package's sounds"  # what needs a game's own unpacker (debian_tool)
LONG_FILE_SECONDS = 30.0  # music and ambience loops: one segment is enough variety


def fetch(package: str, debs: Path) -> Path:
    """The package's .deb in ``debs`` (downloaded once; ``apt-get update`` must have run)."""
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        run(["apt-get", "download", package], cwd=debs)
        found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        raise FileNotFoundError(f"apt-get download {package} left no .deb in {debs}")
    return found[-1]


def extract_audio(deb: Path, dest: Path) -> list[Path]:
    """Audio files of one package under ``dest`` (extracted once; a marker says it finished)."""
    done = dest / ".extracted"
    if not done.exists():
        dest.mkdir(parents=True, exist_ok=True)
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
        # tar exits 2 when a glob matches nothing in this package: that is not an error here.
        subprocess.run(
            ["tar", "-x", "-C", str(dest), "--wildcards", *AUDIO_GLOBS], stdin=tar.stdout, stderr=subprocess.DEVNULL
        )
        if tar.wait() != 0:
            raise RuntimeError(f"dpkg-deb could not read {deb}")
        for archive in [p for p in dest.rglob("*") if p.suffix.lower() in ARCHIVE_SUFFIXES]:
            if archive.is_symlink():  # the archive it names is unpacked where it is (libreoffice-common's)
                archive.unlink()
            elif archive.is_file():
                unpack_audio(archive)
        for group in [p for p in dest.rglob(f"*{GROUP_SUFFIX}") if p.is_file()]:
            unpack_group(group)
        # so that a caption reads "chirp, bat", not "chirp, bat ocg" (OpenClonk ships some groups
        # unpacked, as folders, and c4group leaves the name on those it unpacks)
        groups = [p for p in dest.rglob(f"*{GROUP_SUFFIX}") if p.is_dir()]
        for folder in sorted(groups, key=lambda p: len(p.parts), reverse=True):  # innermost first
            if not folder.with_suffix("").exists():
                folder.rename(folder.with_suffix(""))
        for packed in [p for p in dest.rglob(f"*{WAVPACK_SUFFIX}") if p.is_file()]:
            decode_wavpack(packed)
        done.touch()
    return sorted(p for p in dest.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)


def unpack_audio(archive: Path) -> None:
    """Audio members of a zip archive into a folder named after it (``pak0.pk3`` -> ``pak0/``),
    then the archive itself goes: it is our extracted copy, and the rest of it is maps and art.
    A damaged archive is reported and skipped, like an undecodable sound."""
    try:
        with zipfile.ZipFile(archive) as pack:
            for member in pack.infolist():
                if not member.is_dir() and Path(member.filename).suffix.lower() in AUDIO_SUFFIXES:
                    pack.extract(member, archive.with_suffix(""))  # extract() drops "..": no escape
    except (zipfile.BadZipFile, OSError) as error:
        log.warning("skipping %s: %s", archive.name, error)
    archive.unlink()


def unpack_group(group: Path) -> None:
    """An OpenClonk group unpacked in place by its own tool (``c4group GROUP -x``: the file becomes
    a folder, its inner groups too). A group the tool cannot read is reported and skipped."""
    c4group = debian_tool("c4group", "openclonk", _SOUNDS)
    result = subprocess.run([c4group, str(group), "-x"], capture_output=True, text=True)
    if result.returncode != 0 or not group.is_dir():
        log.warning("skipping %s: c4group could not unpack it: %s", group.name, result.stdout + result.stderr)
        if group.is_dir():  # what it had unpacked before it failed: not trusted
            shutil.rmtree(group)
        else:
            group.unlink(missing_ok=True)


def decode_wavpack(packed: Path) -> None:
    """A WavPack file decoded to a WAV beside it (``wvunpack``), then the WavPack copy goes: it is
    our extracted copy. A file the tool cannot decode is reported and skipped."""
    wav = packed.with_suffix(".wav")
    wvunpack = debian_tool("wvunpack", "wavpack", _SOUNDS)
    result = subprocess.run([wvunpack, "-q", "-y", str(packed), "-o", str(wav)], capture_output=True, text=True)
    if result.returncode != 0:
        log.warning("skipping %s: wvunpack could not decode it: %s", packed.name, result.stderr.strip())
        wav.unlink(missing_ok=True)
    packed.unlink()


def file_clips(task: tuple[str, Path, Path, Path]) -> tuple[str, list[Clip]]:
    """Decode one file to 16 kHz mono and write its segments (runs in a worker process).
    Returns the decoded audio's content key with the clips, for de-duplication."""
    package, path, extracted, out = task
    relative = path.relative_to(extracted).as_posix()
    name, context = path_caption(relative, package_words(package))
    if not name:
        return "", []
    try:
        samples = load_mono(path, SAMPLE_RATE)
    except (AudioDecodeError, ValueError, RuntimeError) as error:
        log.warning("skipping %s: %s", relative, error)
        return "", []
    long_file = len(samples) > LONG_FILE_SECONDS * SAMPLE_RATE
    captions = sound_captions(name, context)
    tags = [name, *context, package.removesuffix("-data")]
    source = f"{package}/{relative}"
    clips = []
    for window, piece in segments(samples, max_segments=1 if long_file else 3):
        audio = write_clip(out, f"debian/{package}/{relative.rsplit('.', 1)[0]}.{window}.wav", piece)
        clips.append(Clip(audio, captions, tags, source, kind="debian"))
    return content_key(samples), clips


def original_of(corpus: Path, clip: Clip) -> tuple[Path, float] | None:
    """The file a Debian clip was cut from, under the corpus's ``extracted/``, and the clip's start
    in it (clip ``name.N.wav`` is the file's 10.24 s window N, counted silent windows included):
    the sound at its own rate, where the clip is 16 kHz. None for other clips, or when the
    extracted file is gone."""
    if clip.kind != "debian":
        return None
    path = Path(corpus) / "extracted" / clip.source
    window = clip.audio.rsplit(".", 2)[-2]
    if not path.is_file() or not window.isdigit():
        return None
    return path, int(window) * MAX_SECONDS


def packages_of(clips: list[Clip]) -> set[str]:
    """The Debian packages whose audio is among ``clips`` (a clip's source is ``package/path``)."""
    return {clip.source.split("/", 1)[0] for clip in clips if clip.kind == "debian"}


def build(
    out: Path, packages: list[str], workers: int = 2, limit: int | None = None, seen: ContentIndex | None = None
) -> list[Clip]:
    """Clips of every package's audio. Reserved and evaluation packages are refused before any
    download; a file whose decoded audio is already in ``seen`` (an earlier file of this build,
    or evaluation audio the caller put there) is left out."""
    check_trainable(packages)
    seen = seen or ContentIndex()
    clips: list[Clip] = []
    for package in packages:
        deb = fetch(package, out / "debs")
        extracted = out / "extracted" / package
        files = extract_audio(deb, extracted)[:limit]
        log.info("%s: %d audio files", package, len(files))
        tasks = [(package, path, extracted, out) for path in files]
        with ProcessPoolExecutor(workers) as pool:
            for key, result in pool.map(file_clips, tasks, chunksize=8):
                earlier = seen.claim(key, result[0].source) if result else None
                if earlier is None:
                    clips += result
                else:
                    log.info("dropping %s: same audio as %s", result[0].source, earlier)
    return clips


def run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
