"""The filter bar as typed into: what it asks the engine for."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.search_bar import FilterBar


def test_a_duration_is_typed_to_the_hundredth_as_the_results_show_it(qtbot):
    """A UI click or a hit lasts 0.05 s: a maximum of 0.05 typed is kept, not rounded to 0.1 or to
    "any" (0 is the box's "any")."""
    bar = FilterBar()
    qtbot.addWidget(bar)
    for box, text in ((bar.max_duration, "0.05"), (bar.min_duration, "0.01")):
        box.lineEdit().selectAll()
        qtbot.keyClicks(box.lineEdit(), text)
        qtbot.keyClick(box.lineEdit(), Qt.Key_Return)
    chosen = bar.values()
    assert (chosen.min_duration_s, chosen.max_duration_s) == (0.01, 0.05)


def test_library_folders_of_one_name_and_their_subfolders_are_told_apart(qtbot):
    """Two library folders called "ucslib" were two items alike, and so were their subfolders."""
    bar = FilterBar()
    qtbot.addWidget(bar)
    roots = ["/a/s35/review/ucslib", "/a/s36/review/ucslib"]
    bar.set_folders(roots)
    assert [bar.folder.itemText(i) for i in range(1, bar.folder.count())] == [
        "ucslib (s35/review)",
        "ucslib (s36/review)",
    ]
    for root in roots:
        bar.set_subfolders(root, [f"{root}/Doors"])
    assert bar.folder_names.stringList() == ["ucslib (s35/review)/Doors", "ucslib (s36/review)/Doors"]
