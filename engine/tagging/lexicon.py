"""Word overlap between a file's words and each term's words, idf-weighted and stemmed.

This is the cheapest evidence and the one a model cannot get wrong in an unexpected way:
a file called ``glass_smash`` shares "glass" with GLASS-BREAK and GLASS-MISC, and "smash"
with GLASS-BREAK's synonyms. A term scores the share of the file's words it explains:
words found in many terms ("metal", "impact") weigh less (inverse term frequency), a
synonym half a category or subcategory word, and terms with long synonym lists are mildly
discounted. (A plain TF-IDF cosine ranked CARTOON-CREAK over DOORS-WOOD for
``Door_Wood_Creak``: it rewards short terms, not explained words.) Stemming is Snowball
English (PyStemmer), so "doors", "footsteps" and "creaking" meet "door", "footstep", "creak".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from engine.tagging.vocabulary import Term, term_words
from engine.words import describing, english_stemmer, words

SYNONYM_WEIGHT = 0.5  # a synonym explains a word half as surely as the category or subcategory name
LENGTH_DISCOUNT = 0.25


def stems(tokens: Sequence[str]) -> list[str]:
    """Snowball stems of lower-case words (one-letter words and those not :func:`describing` dropped)."""
    kept = [t for t in describing(tokens) if len(t) > 1]
    return english_stemmer().stemWords(kept) if kept else []


class Lexicon:
    """The terms of one vocabulary as weighted stems, scored by how much of a file's words they explain."""

    def __init__(self, terms: Sequence[Term]):
        self.size = len(terms)
        weights: list[dict[str, float]] = []
        for term in terms:
            named = set(stems(words(term.category) + words(term.subcategory) + words(term.tag)))
            vector: dict[str, float] = {}
            for stem in stems(term_words(term)):
                vector[stem] = max(vector.get(stem, 0.0), 1.0 if stem in named else SYNONYM_WEIGHT)
            weights.append(vector)
        document_frequency: dict[str, int] = defaultdict(int)
        for vector in weights:
            for stem in vector:
                document_frequency[stem] += 1
        self.idf = {stem: math.log(1 + self.size / df) for stem, df in document_frequency.items()}
        mean_length = sum(len(v) for v in weights) / max(len(weights), 1)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, vector in enumerate(weights):
            # a long synonym list matches more words by chance: a mild, BM25-like length discount
            discount = (len(vector) / mean_length) ** LENGTH_DISCOUNT if vector else 1.0
            for stem, weight in vector.items():
                self.postings[stem].append((index, weight / discount))

    def knows(self, tokens: Sequence[str]) -> bool:
        """Whether any of these words names some term: a file whose words all fail this
        (``Take_0017``) is judged by its sound alone."""
        return any(s in self.postings for s in stems(tokens))

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """For every term, the idf-weighted share of the file's known words it explains
        (a synonym counts half), shape (terms,); 0 when no word is shared."""
        out = np.zeros(self.size, np.float32)
        known = {s for s in stems(tokens) if s in self.postings}
        if not known:
            return out
        total = sum(self.idf[s] for s in known)
        for stem in known:
            for index, weight in self.postings[stem]:
                out[index] += weight * self.idf[stem] / total
        return out
