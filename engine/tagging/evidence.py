"""The evidence for each term of a vocabulary, per file, before it is weighed.

(a) **sound**: the file's stored window embeddings (mean-pooled) against each term's prompt
    embedding: zero-shot classification with the active model, nothing decoded again;
(b) **words through the text tower**: the file's own words (name, folders, metadata, the
    user's tags and caption) embedded as one text, against the terms embedded the same way
    (``AudioTextModel.embed_words``: for the builtin model, its frozen MiniLM's own sentence
    embedding, far better for text-text similarity than the joint space), and against each
    name a term answers to alone (:func:`engine.tagging.prompts.term_names`), the nearest
    one counting ``NAME_SHARE``;
(c) **the category the words say**: the same embedding through a classifier learned from the
    vocabulary's names (:mod:`engine.tagging.classifier`), each term scored by the log-probability
    of its category;
(d) **word overlap**: the same words against the terms' words (:mod:`engine.tagging.lexicon`);
(e) **an exact UCS CatID** at the head of a UCS file name (an FX name follows it), which decides the
    UCS tag outright.

A word (nearly) every file of a folder holds in its name counts in none of them where the folder's
sound disagrees with what it says: a pack's or a game's name, not what each file is
(:mod:`engine.tagging.packs`, :func:`pack_words`).

(b) and (d) are gathered twice where a file's folders add words: from all of its words, which say
its category, and from its own words alone (:attr:`Evidence.own`), which pick the term inside each
category (:meth:`engine.tagging.calibration.Calibration.probabilities`). A folder names a shelf,
and a shelf's name is mostly its category's own word: in ``animals/frog.ogg`` "animals" matched
ANIMALS-MISC, whose own name it is, as surely as "frog" matched ANIMALS-AMPHIBIAN, and 99 % of
ANIMALS went to MISC (bench/tagging.py, the 276 files whose name says a subcategory, moved into
a folder named after their category: subcategory top-1 48.9 % -> 59.1 %; in their own folders
44.2 % -> 48.2 %; every category's probability the same as before).

Term embeddings cost the text tower's passes over every prompt of the vocabulary (about 3,000
phrases for UCS, embedded in both spaces at once: ``AudioTextModel.embed_text_and_words``) and one
over its names (about 10,700 distinct ones), and the classifier a fit over the names (8-25 s for
UCS): 43 s for UCS with the builtin model on two cores (59 s when the prompts took a pass more), so
all are cached on disk per vocabulary fingerprint: the joint space's per model, the words space's
per words space (:func:`words_space`), which a fine-tune shares with the model it started from
(its text tower is frozen), so that switching to one makes only its joint embeddings anew (the
prompts' passes: with a UCS bridge the joint embedding holds the words one, so both passes still
run). In the window on review 15's library, two shared cores: 40 s for all of UCS, 17 s for the
builtin model's joint side after a switch from its fine-tune; on a loaded machine it took minutes
(review 18: 6 min 24 s), so no duration is promised: a read counts the texts it embeds as it goes
(:class:`VocabularyRead`; UCS: 2,928 prompts and 10,742 distinct names), which the CLI's bar and
the app's status show.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from engine.audio.metadata import PROVENANCE
from engine.fs import atomic_file
from engine.index.records import FileRecord
from engine.index.text import folder_words
from engine.index.vectors import Windows
from engine.models.base import AudioTextModel, embed_in_batches, l2_normalise
from engine.tagging.calibration import Calibration
from engine.tagging.classifier import CategoryClassifier, fit_classifier
from engine.tagging.lexicon import Lexicon, stems
from engine.tagging.packs import MIN_FILES, disagreeing, shared_words
from engine.tagging.prompts import term_names, term_prompts
from engine.tagging.vocabulary import Vocabulary
from engine.words import (
    cat_id_block,
    describing,
    file_stem,
    in_meant_sense,
    is_title,
    name_words,
    with_abbreviations,
    without_numbers,
    words,
)

PROMPTS_VERSION = 4  # bump when term_prompts, term_names or what the cache holds change: it is rebuilt
# of the text evidence, the share of the term's nearest single name (the rest: the mean of its
# phrases); bench/tagging.py, audio and names, leave one package out: 59.2 % top-1 without,
# 63.1 % at 0.3; a first try measured 0.3 and 0.5 alike (names through the text tower alone fell
# at 0.5), and no other share was tried
NAME_SHARE = 0.3
VOICES = "VOICES"  # the UCS category of speech and vocal performances
# UCS categories whose sounds come out of a throat (or a speaker playing one): a voice heard in
# them is their own (a robot's line, a chimp's call, a crowd's cheer), not a sign that the file's
# words are what the voice says (see Calibration.as_spoken)
VOCAL_CATEGORIES = frozenset({VOICES, "HUMAN", "CROWDS", "CREATURES", "ANIMALS", "BIRDS", "ROBOTS"})
MAX_METADATA_WORDS = 40  # a long BWF description would drown the name
NO_PACKS: Mapping[str, frozenset[str]] = MappingProxyType({})  # no folder's shared word left out
NEAR_FOLDERS = 2
TEXT_BATCH = 64
MEMO_LIMIT = 50_000  # words vectors a job keeps between its passes (1.5 KB each for MiniLM: 75 MB)
# what a model's words space is known by (words_space): phrases of a few sound words each, as names are
WORDS_PROBE = ("wooden door creak", "rain on a tin roof", "distant thunder rumble", "footsteps on gravel")
Embed = Callable[[list[str]], np.ndarray]  # texts -> their vectors
Progress = Callable[[int, int], None]  # texts embedded so far, of how many


class EncodingStopped(Exception):
    """Told to stop while a vocabulary was embedded (:func:`encode_vocabulary`): nothing of it is kept."""


@dataclass
class EncodedVocabulary:
    vocabulary: Vocabulary
    embeddings: np.ndarray  # (terms, dim): the joint audio-text space, L2-normalised
    word_embeddings: np.ndarray  # (terms, dim'): the text-text space (AudioTextModel.embed_words)
    lexicon: Lexicon
    names: TermNames
    classifier: CategoryClassifier | None  # None: a vocabulary of one category

    def text_scores(self, embedded: np.ndarray) -> np.ndarray:
        """(files, terms) text evidence of files' words embedded in the text-text space."""
        whole = embedded @ self.word_embeddings.T
        return (1.0 - NAME_SHARE) * whole + NAME_SHARE * self.names.nearest(embedded)

    def category_scores(self, embedded: np.ndarray) -> np.ndarray | None:
        """(files, terms): the classifier's log-probability of each term's category."""
        if self.classifier is None:
            return None
        return self.classifier.log_probabilities(embedded)[:, self.vocabulary.term_categories]


@dataclass
class TermNames:
    """Each distinct name of a vocabulary's terms embedded once (``vectors``), and which term
    holds which: pairs sorted by term, every term with at least its own name."""

    vectors: np.ndarray  # (names, dim'), text-text space
    rows: np.ndarray  # (pairs,) row of ``vectors`` of each (term, name) pair, by term
    starts: np.ndarray  # (terms,) first pair of each term

    def nearest(self, embedded: np.ndarray) -> np.ndarray:
        """(files, terms): each term's best cosine over its names."""
        return np.maximum.reduceat((embedded @ self.vectors.T)[:, self.rows], self.starts, axis=1)


@dataclass(frozen=True)
class VoiceTerms:
    """Which terms of a UCS vocabulary are a voice, (terms,) bool each: see Calibration.as_spoken."""

    voices: np.ndarray  # the VOICES terms
    vocal: np.ndarray  # the terms of VOCAL_CATEGORIES


def voice_terms(vocabulary: Vocabulary) -> VoiceTerms | None:
    """The voice terms of a UCS vocabulary; None for a user's own, whose categories are not UCS's."""
    if not vocabulary.is_ucs:
        return None
    categories = np.array([t.category for t in vocabulary.terms])
    return VoiceTerms(categories == VOICES, np.isin(categories, list(VOCAL_CATEGORIES)))


@dataclass
class Evidence:
    """Scores of every term of one vocabulary for one file; None where there is no such evidence."""

    sound: np.ndarray | None  # cosine, (terms,)
    text: np.ndarray | None  # cosine of the file's words with each term, (terms,)
    lexical: np.ndarray  # word-overlap cosine, (terms,)
    has_words: bool  # some word of the file names some term (else: judged by its sound)
    exact: int | None  # index of the term the file name's CatID names
    category_sizes: np.ndarray | None = None  # terms in each term's category, (terms,)
    category: np.ndarray | None = None  # log-probability of each term's category from the words, (terms,)
    # the same evidence from the file's own words alone (no folders: file_words), which picks the
    # term inside each category; None where the folders add no word or the own words name no term
    own: Evidence | None = None
    term_categories: np.ndarray | None = None  # each term's category, (terms,): Vocabulary.term_categories
    # the vocabulary's voice terms where the sound's best UCS term is a VOICES one (it hears a
    # voice); None where it hears none (see Calibration.as_spoken)
    heard_voice: VoiceTerms | None = None


@dataclass
class VocabularyRead:
    """The texts one read of a vocabulary (:func:`encode_vocabulary`) embeds, counted batch by
    batch: before each batch it stops once ``should_stop()`` says so (:class:`EncodingStopped`),
    after each it tells ``progress(done, total)``, ``total`` being every text the read embeds."""

    total: int = 0
    should_stop: Callable[[], bool] | None = None
    progress: Progress | None = None
    done: int = 0

    def through(self, embed: Embed) -> Embed:
        """``embed``, stopping and counting as this read does."""

        def run(texts: list[str]) -> np.ndarray:
            if self.should_stop is not None and self.should_stop():
                raise EncodingStopped
            vectors = embed(texts)
            self.done += len(texts)
            if self.progress is not None:
                self.progress(self.done, self.total)
            return vectors

        return run


def term_embeddings(
    model: AudioTextModel, vocabulary: Vocabulary, read: VocabularyRead | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each term's embedding in the joint space and in the words space: the normalised mean of
    its prompts' (:meth:`AudioTextModel.embed_text_and_words`, the two side by side per batch),
    embedded as ``read`` stops and counts."""
    both = (read or VocabularyRead()).through(lambda batch: np.concatenate(model.embed_text_and_words(batch), axis=1))
    joint, words = np.split(prompt_sums(both, vocabulary), [model.info.embedding_dim], axis=1)
    return l2_normalise(joint), l2_normalise(words)


def flat_prompts(vocabulary: Vocabulary) -> list[str]:
    """Every term's prompts (:func:`term_prompts`), term by term: what a read embeds for the joint space."""
    return [p for term in vocabulary.terms for p in term_prompts(term)]


def distinct_names(vocabulary: Vocabulary) -> list[str]:
    """Every term's names (:func:`term_names`), each once: what a read embeds for the words space alone."""
    return list(dict.fromkeys(n for term in vocabulary.terms for n in term_names(term)))


def prompt_sums(embed: Embed, vocabulary: Vocabulary) -> np.ndarray:
    """(terms, dim) each term's prompts (:func:`term_prompts`) through ``embed``, summed."""
    prompts = [term_prompts(term) for term in vocabulary.terms]
    vectors = embed_in_batches(embed, flat_prompts(vocabulary), TEXT_BATCH)
    owner = np.repeat(np.arange(len(prompts)), [len(group) for group in prompts])
    summed = np.zeros((len(prompts), vectors.shape[1]), np.float32)
    np.add.at(summed, owner, vectors)
    return summed


def name_embeddings(embed: Embed, vocabulary: Vocabulary) -> TermNames:
    """The names of every term (:func:`term_names`), each distinct one embedded once."""
    names = [term_names(term) for term in vocabulary.terms]
    distinct = distinct_names(vocabulary)
    row_of = {name: row for row, name in enumerate(distinct)}
    vectors = embed_in_batches(embed, distinct, TEXT_BATCH)
    rows = np.array([row_of[n] for group in names for n in group], np.int64)
    starts = np.cumsum([0] + [len(group) for group in names[:-1]]).astype(np.int64)
    return TermNames(vectors, rows, starts)


def name_classifier(vocabulary: Vocabulary, names: TermNames) -> CategoryClassifier | None:
    """The classifier fitted to tell each (term, name) pair's category from the name's vector."""
    per_term = np.diff(np.append(names.starts, len(names.rows)))
    labels = np.repeat(vocabulary.term_categories, per_term)
    return fit_classifier(names.vectors[names.rows], labels, len(vocabulary.categories))


@dataclass
class WordsSide:
    """What an encoded vocabulary holds in the words space (:meth:`AudioTextModel.embed_words`):
    the same for every model whose words space is the same (:func:`words_space`)."""

    embeddings: np.ndarray  # (terms, dim')
    names: TermNames
    classifier: CategoryClassifier | None


def encode_vocabulary(
    model: AudioTextModel,
    vocabulary: Vocabulary,
    cache_dir: Path | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> EncodedVocabulary:
    """Term embeddings in both spaces and the classifier (cached under ``cache_dir``: the joint
    space's per model, the words space's per :func:`words_space`), and the word lexicon of
    ``vocabulary``. Raises :class:`EncodingStopped` before a batch of text once ``should_stop()``
    says so (a job's Stop, the app closing), keeping nothing of what it made. ``progress(done,
    total)`` is told after each batch of text embedded, counting what this read embeds: the
    prompts (both spaces at once) and the distinct names, or the prompts alone where the words
    side is cached (a fine-tune of a model read before); never where the caches hold it all."""
    joint_file = joint = space = None
    if cache_dir is not None:
        joint_file = vocabulary_cache_file(cache_dir, model.info.name, vocabulary)
        joint, space = _cached_joint(joint_file, vocabulary)
        space = space or words_space(model)
    words = _cached_words(words_cache_file(cache_dir, space, vocabulary), vocabulary) if space else None
    if words is None:
        read = VocabularyRead(len(flat_prompts(vocabulary)) + len(distinct_names(vocabulary)), should_stop, progress)
        joint, term_words = term_embeddings(model, vocabulary, read)
        names = name_embeddings(read.through(model.embed_words), vocabulary)
        words = WordsSide(term_words, names, name_classifier(vocabulary, names))
        if space:
            prune_stale_caches(cache_dir)
            _save_words(words_cache_file(cache_dir, space, vocabulary), words)
    elif joint is None:  # a model whose words space is known already: a fine-tune of it
        read = VocabularyRead(len(flat_prompts(vocabulary)), should_stop, progress)
        joint = l2_normalise(prompt_sums(read.through(model.embed_text), vocabulary))
    if joint_file is not None and not joint_file.is_file():
        joint_file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(joint_file) as partial, open(partial, "wb") as out:
            np.savez(out, audio=joint, words_space=np.array(space))
    return EncodedVocabulary(vocabulary, joint, words.embeddings, lexicon_of(vocabulary), words.names, words.classifier)


def words_space(model: AudioTextModel) -> str:
    """What the model's words space (:meth:`AudioTextModel.embed_words`) is known by: a digest of
    :data:`WORDS_PROBE`'s vectors in it, bit for bit. A fine-tune of the builtin model trains its
    audio side and the text's projection into the joint space, never the frozen MiniLM the words
    space is made of (its checkpoint does not hold it: engine/models/cacophony/checkpoint.py), so
    it shares the builtin's words space, and a vocabulary's words vectors, names and classifier
    with it (review 15: the builtin's and a fine-tune's cached arrays were identical, the joint
    ones apart). A text tower trained with its model gives other vectors, and another name."""
    vectors = np.ascontiguousarray(model.embed_words(list(WORDS_PROBE)), np.float32)
    return hashlib.blake2b(vectors.tobytes(), digest_size=8).hexdigest()


def _cached_joint(path: Path, vocabulary: Vocabulary) -> tuple[np.ndarray | None, str | None]:
    """The joint term embeddings kept at ``path`` and the words space they go with; (None, None)
    where none are kept for this vocabulary."""
    if not path.is_file():
        return None, None
    with np.load(path) as cached:
        if len(cached["audio"]) != len(vocabulary.terms):
            return None, None
        return cached["audio"], str(cached["words_space"])


def _cached_words(path: Path, vocabulary: Vocabulary) -> WordsSide | None:
    if not path.is_file():
        return None
    with np.load(path) as cached:
        if not len(cached["words"]) == len(cached["name_starts"]) == len(vocabulary.terms):
            return None
        classifier = None
        if cached["classifier_weight"].size:
            classifier = CategoryClassifier(cached["classifier_weight"], cached["classifier_bias"])
        names = TermNames(cached["names"], cached["name_rows"], cached["name_starts"])
        return WordsSide(cached["words"], names, classifier)


def _save_words(path: Path, words: WordsSide) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nothing = np.empty(0)
    with atomic_file(path) as partial, open(partial, "wb") as out:
        np.savez(
            out,
            words=words.embeddings,
            names=words.names.vectors,
            name_rows=words.names.rows,
            name_starts=words.names.starts,
            classifier_weight=nothing if words.classifier is None else words.classifier.weight,
            classifier_bias=nothing if words.classifier is None else words.classifier.bias,
        )


def vocabulary_cache_file(cache_dir: Path, model_name: str, vocabulary: Vocabulary) -> Path:
    """Where the joint term embeddings of ``vocabulary`` with the model ``model_name`` are kept."""
    return Path(cache_dir) / f"{model_name}-{vocabulary.fingerprint}-p{PROMPTS_VERSION}.npz"


def words_cache_file(cache_dir: Path, space: str, vocabulary: Vocabulary) -> Path:
    """Where the words side (:class:`WordsSide`) of ``vocabulary`` in the words space ``space`` is kept."""
    return Path(cache_dir) / f"words-{space}-{vocabulary.fingerprint}-p{PROMPTS_VERSION}.npz"


def prune_stale_caches(cache_dir: Path) -> list[Path]:
    """Delete the vocabulary caches under ``cache_dir`` written for another :data:`PROMPTS_VERSION`
    (no version reads them again: ~20 MB a model for the UCS list), returning what went. Run as a
    vocabulary is encoded anew, which is what a version bump makes every vocabulary do once."""
    versions = ((path, path.stem.rsplit("-p", 1)[1]) for path in Path(cache_dir).glob("*-p*.npz"))
    stale = [path for path, version in versions if version.isdigit() and int(version) != PROMPTS_VERSION]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


_LEXICONS: dict[str, Lexicon] = {}


def lexicon_of(vocabulary: Vocabulary) -> Lexicon:
    """The vocabulary's lexicon, built once per process (tokenising 10,000 synonyms takes a while)."""
    if vocabulary.fingerprint not in _LEXICONS:
        _LEXICONS[vocabulary.fingerprint] = Lexicon(vocabulary.terms)
    return _LEXICONS[vocabulary.fingerprint]


def words_vectors(model: AudioTextModel, texts: list[str], memo: dict[str, np.ndarray] | None) -> np.ndarray:
    """(texts, dim') the text-text vectors of ``texts``, those the memo lacks embedded now and
    added to it while it holds fewer than ``MEMO_LIMIT``."""
    if not texts:
        return np.zeros((0, 0), np.float32)
    memo = {} if memo is None else memo
    missing = list(dict.fromkeys(t for t in texts if t not in memo))
    fresh = dict(zip(missing, embed_in_batches(model.embed_words, missing, TEXT_BATCH) if missing else [], strict=True))
    for text, vector in fresh.items():
        if len(memo) >= MEMO_LIMIT:
            break
        memo[text] = vector
    return np.stack([fresh[t] if t in fresh else memo[t] for t in texts])


def near_folder_words(path: str, library_folder: str) -> list[str]:
    """Words of the ``NEAR_FOLDERS`` folders nearest the file, below the library folder: a
    library's shelves near the file ("Doors/Wood") say what it is, the ones far above it
    ("SFX 2019/Vendor/usr/share/games") mostly do not. Shelves are named in words; a folder
    word no dictionary or UCS list knows is a title (a game's, a pack's: "mirrormagic",
    "netpanzer", "alienblaster", "OpenSFX") and is left out, not split into the words it runs together:
    "mirror magic" made a whole game's sounds MAGIC-SPELL at 68-98 %, "alien blaster" SCIFI
    (docs/benchmarks.md, "Tagging")."""
    return [w for w in folder_words(path, library_folder, NEAR_FOLDERS) if not is_title(w)]


# Words a sound's name holds only when it is a sentence: pronouns and auxiliary verbs ("we're",
# "is", "been"). Voice lines are named by what they say ("the_lab_s_been_destroyed.wav",
# "we_ve_won.wav"), which the evidence read as what the line is about (DESTRUCTION).
_SPOKEN = frozenset(
    "i we you he she they me us him them my our your their "
    "is are was were been am has have had will shall would could should can must do does did re ve ll".split()
)
SPOKEN_WORDS = ["spoken", "voice", "line"]  # what a name that is a sentence adds to a file's words
MIN_SENTENCE_WORDS = 3


def is_spoken_line(name: list[str]) -> bool:
    """Whether a name's words read as a sentence: at least three, a pronoun or auxiliary among them."""
    return len(name) >= MIN_SENTENCE_WORDS and not _SPOKEN.isdisjoint(name)


def file_words(record: FileRecord, folders: bool = True, dropped: frozenset[str] = frozenset()) -> list[str]:
    """What a file says about itself: name, the nearest folders (``folders``: its own words alone
    without them, see :attr:`Evidence.own`), metadata (capped, less what says where the file came
    from: :data:`engine.audio.metadata.PROVENANCE`), the user's
    tags and caption, as far as it describes a sound (:func:`engine.words.describing`): bare
    numbers and the words of how a file was made or kept ("sound", "sfx", "take") are dropped;
    given to the text tower, "sound effects" pulled names towards DESIGNED (bench/tagging.py,
    names only through the text tower: 52.9 % -> 58.5 % top-1, better in both package halves).
    A name that is a sentence adds :data:`SPOKEN_WORDS` (bench/tagging.py, audio and names:
    70.4 % -> 71.7 % top-1, VOICES files 27 -> 35 of 44 right). A sound-library abbreviation in
    the name or folders is read with the word it stands for, as the index reads it
    (:func:`engine.words.with_abbreviations`: netpanzer's ``expl_1`` EXPLOSIONS first), and a
    word in the sense the name means it (:func:`engine.words.in_meant_sense`: an impact's
    "light" is its weight, not a lamp). The words
    of the name and folders whose stems are ``dropped`` are left out: a word (nearly) every file of
    the folder holds that the folder's sound disagrees with, a pack's name (:func:`pack_words`)."""
    name = without_numbers(name_words(record.path))
    near = near_folder_words(record.path, record.folder) if folders else []
    if dropped:
        name, near = ([w for w in found if dropped.isdisjoint(stems([w]))] for found in (name, near))
    found = with_abbreviations(in_meant_sense(name + near))
    if is_spoken_line(name):
        found += SPOKEN_WORDS
    found += words(PROVENANCE.sub(" ", record.metadata_text))[:MAX_METADATA_WORDS]
    found += words(" ".join([*record.tags, record.caption]))
    return describing(found)


def gather_evidence(
    model: AudioTextModel | None,
    encoded: EncodedVocabulary,
    records: list[FileRecord],
    windows: dict[int, Windows],
    embedded_words: dict[str, np.ndarray] | None = None,
    packs: Mapping[str, frozenset[str]] = NO_PACKS,
) -> list[Evidence]:
    """Evidence for each record; ``windows`` holds the stored windows of those that have them
    (a file without, or no model, gets no sound evidence). ``embedded_words`` ({words: vector})
    is a memo of the text tower's vectors for this and later calls: a job weighs every
    vocabulary, and reads its library before it tags it, so each file's words are embedded once.
    ``packs`` ({folder: stems}, :func:`pack_words`) are the words each folder's files leave out,
    found by the caller among the folders whole (a job's batch is not its folders)."""
    vocabulary = encoded.vocabulary
    embedded_words = {} if embedded_words is None else embedded_words
    dropped = [packs.get(os.path.dirname(r.path), frozenset()) for r in records]
    texts = [file_words(r, dropped=d) for r, d in zip(records, dropped, strict=True)]
    has_words = [encoded.lexicon.knows(t) for t in texts]
    own_texts = [file_words(r, folders=False, dropped=d) for r, d in zip(records, dropped, strict=True)]
    # a file's own words count apart where its folders add some and they name a term themselves
    owned = [o != t and encoded.lexicon.knows(o) for o, t in zip(own_texts, texts, strict=True)]
    text_scores, category_scores = text_evidence(model, encoded, texts, has_words, embedded_words)
    own_scores, _ = text_evidence(model, encoded, own_texts, owned, embedded_words)
    keys = {t.key: i for i, t in enumerate(vocabulary.terms)}
    voices = voice_terms(vocabulary)
    sizes = category_sizes(vocabulary)
    out = []
    for i, record in enumerate(records):
        sound = sound_scores(encoded, windows.get(record.id)) if model is not None else None
        # against the vocabulary in use, so the CatIDs of an imported UCS release count
        exact = keys.get(cat_id_block(file_stem(record.path))) if vocabulary.is_ucs else None
        lexical = encoded.lexicon.scores(texts[i])
        heard = voices if voices is not None and sound is not None and voices.voices[int(np.argmax(sound))] else None
        own = None
        if owned[i]:
            own = Evidence(sound, own_scores.get(i), encoded.lexicon.scores(own_texts[i]), True, exact, sizes)
        out.append(
            Evidence(
                sound,
                text_scores.get(i),
                lexical,
                has_words[i],
                exact,
                sizes,
                category_scores.get(i),
                own=own,
                term_categories=vocabulary.term_categories,
                heard_voice=heard,
            )
        )
    return out


def category_sizes(vocabulary: Vocabulary) -> np.ndarray:
    """(terms,) the number of terms in each term's category: :attr:`Evidence.category_sizes`."""
    return np.array([len(vocabulary.category_terms[t.category]) for t in vocabulary.terms], np.float64)


def sound_scores(encoded: EncodedVocabulary, item: Windows | None) -> np.ndarray | None:
    """(terms,) the cosine of a file's stored windows, mean-pooled, with each term; None without any."""
    if item is None or not len(item):
        return None
    return encoded.embeddings @ l2_normalise(item.vectors.mean(axis=0))


def pack_words(
    model: AudioTextModel | None,
    calibration: Calibration,
    encoded: EncodedVocabulary,
    records: Sequence[FileRecord],
    windows: Mapping[int, Windows],
    embedded_words: dict[str, np.ndarray] | None = None,
) -> dict[str, frozenset[str]]:
    """{folder: the stems its files' words leave out}: of the words (nearly) every file of a folder
    holds in its name (:func:`engine.tagging.packs.shared_words`, among ``records``), those the
    folder's sound disagrees with (:func:`engine.tagging.packs.disagreeing`), both read through the
    model's ``calibration``: the word alone as a file's words are, each file with stored ``windows``
    as a file without words is. Nothing without a model, nor in a folder of fewer files heard than
    :data:`engine.tagging.packs.MIN_FILES`: without a sound to say so, a shared word is no pack's."""
    if model is None:
        return {}
    vocabulary = encoded.vocabulary
    sizes, silent = category_sizes(vocabulary), np.zeros(len(vocabulary.terms))

    def categories(evidence: Evidence) -> np.ndarray:
        return vocabulary.category_probabilities(calibration.probabilities(evidence))

    out = {}
    for folder, shared in shared_words(records).items():
        sounds = [s for r in shared.records if (s := sound_scores(encoded, windows.get(r.id))) is not None]
        if len(sounds) < MIN_FILES:
            continue
        heard = np.mean([categories(Evidence(s, None, silent, False, None, sizes)) for s in sounds], axis=0)
        vectors = words_vectors(model, list(shared.words.values()), embedded_words)
        text, category = encoded.text_scores(vectors), encoded.category_scores(vectors)
        said = {
            stem: categories(
                Evidence(
                    sound=None,
                    text=text[i],
                    lexical=encoded.lexicon.scores([word]),
                    has_words=True,
                    exact=None,
                    category_sizes=sizes,
                    category=None if category is None else category[i],
                )
            )
            for i, (stem, word) in enumerate(shared.words.items())
        }
        if dropped := disagreeing(said, heard):
            out[folder] = dropped
    return out


def text_evidence(
    model: AudioTextModel | None,
    encoded: EncodedVocabulary,
    texts: list[list[str]],
    wanted: list[bool],
    embedded_words: dict[str, np.ndarray] | None,
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """({position: text evidence}, {position: category evidence}) of the texts that hold a word and
    are ``wanted`` (by position), through the text tower in batches; none without a model."""
    text_scores: dict[int, np.ndarray] = {}
    category_scores: dict[int, np.ndarray] = {}
    if model is None:
        return text_scores, category_scores
    chosen = [i for i, t in enumerate(texts) if t and wanted[i]]
    vectors = words_vectors(model, [" ".join(texts[i]) for i in chosen], embedded_words)
    for start in range(0, len(chosen), TEXT_BATCH):
        chunk, embedded = chosen[start : start + TEXT_BATCH], vectors[start : start + TEXT_BATCH]
        text_scores.update(zip(chunk, encoded.text_scores(embedded), strict=True))
        categories = encoded.category_scores(embedded)
        if categories is not None:
            category_scores.update(zip(chunk, categories, strict=True))
    return text_scores, category_scores
