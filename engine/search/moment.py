"""The moment of a long file a search shows as "the match": whether to show one, and where in
its window the sound is.

A file scores as its best window (engine.search.fusion), and that window is the moment the app
highlights and starts playing from. In a long take the model's best window is often not where
the sound is: ``python -m bench.long_files --files 72`` (2-4 minute files, one event each, seeds
0 and 1) found the builtin model's best window on the event for 21% and 24% of the files, where a
window drawn at random is on it 7-8% of the time. Hence:

- :func:`stands_out`: a long file found by its name shows a moment only when its best window is
  :data:`STANDOUT` standard deviations over the median of its windows' scores for the query. Of
  the rules measured (margins over the median or over the best window apart, in score units or
  in deviations), this one put the moments it kept on the event for 28% and 38% of the files
  (a window at random: 7%), and left a wrong moment on 18% and 21% of the files instead of 79%
  and 76%; it kept a moment for 25% and 33% of the files, so about half the right moments went
  with the wrong ones. A sound designer would rather play a take from its start than from the bed
  after the bark. It kept one as often (20%, 22%) for a file that does not answer the query: it
  does not tell those apart, it shows fewer, better moments.
- :func:`narrowed`: a 10.24 s window for a 1 s bark says little. Inside the best window that
  holds the event, the run of frames :data:`ABOVE_DB` over the window's median, when its loudest
  frame is :data:`ALONE_DB` over everything else in the window, narrowed 46% and 44% of the
  windows, to about 2 s, and was on the event for 97% and 91% of those (a stretch as long placed
  at random: 43%, 34%); with :data:`LEAD_IN_S` before it, playing the moment plays the event's
  onset about as often as playing the window does (92%, 88% against 93%, 90%). Without the
  condition every window narrowed, on the event 85-88% of the time (35-37% at random), but with
  the events as loud as their bed (``--event-db -12 -6``) 36% (32% at random): the condition then
  narrowed 22% of the windows, 56% of those on the event (36% at random), and left the rest whole.
  The model's own best 2-3 s crop of the window, embedded and scored for the query, was on the
  event 64-67% of the time (39-51% at random), so it is not used. Narrowing decodes one window,
  milliseconds, so the app asks for it for the one file previewed, never for every hit.
"""

from __future__ import annotations

import numpy as np

from engine.audio.decode import load_mono
from engine.audio.files import PathLike

Moment = tuple[float, float]  # seconds

STANDOUT = 2.5  # a best window this many standard deviations over the file's median window stands out
JUDGED_FROM_S = 120.0  # files this long are judged: the bench's shortest; a few windows have no median to speak of
LEVEL_RATE = 16_000  # Hz: levels need no more
FRAME_S = 0.05  # seconds of one level frame
ABOVE_DB = 6.0  # a loud frame is this much over the window's median frame
BRIDGE_S = 0.3  # quieter frames this long inside a sound (between two barks) do not end it
ALONE_DB = 6.0  # the loud run's loudest frame is this much over every frame outside it, or it may be the bed
LEAD_IN_S = 0.25  # the moment starts this much before the loud run, so that playing it plays the attack
NARROWED_FROM_S = 4.0  # a window shorter than this says where the sound is already
WHOLE_FILE = 0.95  # a window covering this share of its file is the file: it says nowhere in it


def stands_out(scores: np.ndarray) -> bool:
    """Whether the best of a file's window ``scores`` for a query is :data:`STANDOUT` standard
    deviations over their median: the best of many windows of bed is always somewhat higher than
    the others, and ends up there by chance. Scale-free, so it holds for any model and for query
    vectors of any length."""
    scores = np.asarray(scores, dtype=np.float64)
    spread = scores.std()
    return bool(spread > 0 and scores.max() - np.median(scores) >= STANDOUT * spread)


def narrowed(path: PathLike, window: Moment) -> Moment:
    """The part of ``window`` (seconds) of the file at ``path`` where its sound is: the run of
    loud frames (:func:`loud_run`) holding the loudest, from :data:`LEAD_IN_S` before it; the whole
    window when no one sound in it stands out from the rest, or it is short already
    (:data:`NARROWED_FROM_S`)."""
    start, end = window
    if end - start < NARROWED_FROM_S:
        return window
    run = loud_run(frame_levels(load_mono(path, LEVEL_RATE, start, end - start)), alone_db=ALONE_DB)
    if run is None:
        return window
    return max(start, start + run[0] * FRAME_S - LEAD_IN_S), min(end, start + run[1] * FRAME_S)


def frame_levels(audio: np.ndarray, rate: int = LEVEL_RATE, frame_s: float = FRAME_S) -> np.ndarray:
    """The level of each whole ``frame_s`` of ``audio``, in dB."""
    size = round(frame_s * rate)
    frames = np.asarray(audio[: len(audio) // size * size], dtype=np.float64).reshape(-1, size)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def loud_run(levels: np.ndarray, above_db: float = ABOVE_DB, alone_db: float = 0.0) -> tuple[int, int] | None:
    """The frames [first, last) of the run holding the loudest frame, of frames ``above_db`` over
    the median one, quieter gaps up to :data:`BRIDGE_S` inside it; None when the loudest frame is
    not that loud (a steady window: nothing in it stands out), or not ``alone_db`` over every
    frame outside the run (another sound in the window is nearly as loud: which is the one asked
    for, the levels cannot say)."""
    if not len(levels):
        return None
    loud = levels >= np.median(levels) + above_db
    first = last = int(np.argmax(levels))
    if not loud[first]:
        return None
    reach = round(BRIDGE_S / FRAME_S) + 1  # the next loud frame within a bridge continues the run
    while (ahead := np.flatnonzero(loud[last + 1 : last + 1 + reach])).size:
        last += 1 + int(ahead[-1])
    while (behind := np.flatnonzero(loud[max(first - reach, 0) : first])).size:
        first = max(first - reach, 0) + int(behind[0])
    rest = np.concatenate([levels[:first], levels[last + 1 :]])
    if rest.size and levels.max() - rest.max() < alone_db:
        return None
    return first, last + 1
