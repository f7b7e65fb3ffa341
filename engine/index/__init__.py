"""The library database in LanceDB: file records, folders, per-model window vectors.

Importing the package loads nothing: its light modules (``status``) serve the app at start,
and each name below is imported from its module, LanceDB with it, on first use.
"""

from importlib import import_module

_HOMES = {
    "LibraryStore": "store",
    "FileRecord": "records",
    "FileState": "records",
    "FolderRecord": "records",
    "Windows": "vectors",
    "AnnPolicy": "vectors",
    "OK": "status",
    "ERROR": "status",
    "OFFLINE": "status",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
