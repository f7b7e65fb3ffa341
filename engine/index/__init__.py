"""The library database in LanceDB: file records, folders, per-model window vectors."""
from engine.index.records import ERROR, OFFLINE, OK, FileRecord, FileState, FolderRecord
from engine.index.store import LibraryStore
from engine.index.vectors import AnnPolicy, Windows

__all__ = ["LibraryStore", "FileRecord", "FileState", "FolderRecord", "Windows", "AnnPolicy",
           "OK", "ERROR", "OFFLINE"]
