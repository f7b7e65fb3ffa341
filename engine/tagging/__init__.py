"""Auto-tagging and auto-captioning: suggestions the user accepts, edits or rejects.

A vocabulary (the UCS list, or the user's own) is scored for each file from three kinds of
evidence (its sound, its words, an exact UCS CatID in its name), turned into calibrated
confidences, and stored per model as suggestions (:mod:`engine.index.suggestions`). Nothing
here ever writes a file's own tags or caption except an explicit accept, which only adds.
"""
