"""Audio-text models behind one interface (:mod:`engine.models.base`)."""
