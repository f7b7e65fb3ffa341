"""The meaning hits whose words hold the opposite of a word typed and not the word itself.

The words space puts opposites close: "door close" means nearly what "door open" does to MiniLM,
so review 17's "door open" listed ``door_close.wav`` and ``door-closing.wav`` 3rd and 4th, above
``homedecor_gate_open_close.ogg``. A file named for the opposite sound gains no meaning from it
(engine.search.fusion.fuse, ``FusionWeights.opposite``); its other words still find it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.index.store import STOP_WORDS, LibraryStore
from engine.search.fusion import FileMatch
from engine.search.vector_search import Passing, matching_ids
from engine.words import stem, words

# each word and the words naming its opposite sound, of any form (the index stems a name's
# "closing", and a typed word is read by its stem: "opening"); the words of one side are opposites
# of the other side's, not of each other ("shut" and "slam" are both a close). Not "in"/"out" nor "on"/"off":
# "in" and "on" are stop words, which no file holds.
_PAIRS = (
    ("open", "close shut slam"),  # a slam is a hard close: review 19's "door slam" listed DoorOpen above DoorClose
    ("up", "down"),
    ("start", "stop"),
    ("rise", "fall"),
    ("push", "pull"),
    ("enter", "exit"),
    ("lock", "unlock"),
    ("inhale", "exhale"),
    ("appear", "disappear"),
    ("connect", "disconnect"),
    ("plug", "unplug"),
    ("equip", "unequip"),
    ("win", "lose"),
)
_ONE_WAY = [(one.split(), other.split()) for one, other in _PAIRS]
OPPOSITES = {  # a word's stem -> its opposites
    stem(word): tuple(others) for a, b in _ONE_WAY for side, others in ((a, b), (b, a)) for word in side
}


def opposed(
    store: LibraryStore,
    texts: Sequence[str],
    meaning: Sequence[FileMatch],
    passing: Sequence[Passing],
    fields: dict[str, float],
) -> set[int]:
    """Of the meaning ranking's hits (``meaning``), those whose words hold the opposite of a word of
    an alternative (``texts``) and not the word, where that alternative does not type the opposite
    too ("open close"). Only a query typing a listed word pays: two keyword queries per such word,
    among the hits."""
    ids = np.array(sorted({m.file_id for m in meaning}), np.int64)
    if not ids.size:
        return set()
    found: set[int] = set()
    for text, files in zip(texts, passing, strict=True):
        typed = {w for w in words(text, compounds=False) if w not in STOP_WORDS}
        among_hits = Passing(ids, total=files.total)
        stems = {stem(w) for w in typed}
        for word in typed:
            others = [o for o in OPPOSITES.get(stem(word), ()) if stem(o) not in stems]
            if not others:
                continue
            holding_others = set(matching_ids(store, " ".join(others), among_hits, fields).tolist())
            if holding_others:
                found |= holding_others - set(matching_ids(store, word, among_hits, fields).tolist())
    return found
