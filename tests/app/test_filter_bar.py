"""The filter bar as typed into: what it asks the engine for."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.results_model import channels_text, rate_text
from app.search_bar import FilterBar, fitted_folder_label


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


def test_rates_and_channels_are_offered_as_the_results_say_them(qtbot):
    """A review's library of 11.025 kHz game sounds could not be filtered by its rate, and a 6-channel
    file read "6 ch" in the results and "5.1" in the filter."""
    bar = FilterBar()
    qtbot.addWidget(bar)
    rates = [bar.sample_rate.itemText(i) for i in range(1, bar.sample_rate.count())]
    for rate in (8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000):
        assert rate_text(SimpleNamespace(sample_rate=rate)) in rates
    channels = {bar.channels.itemData(i): bar.channels.itemText(i) for i in range(1, bar.channels.count())}
    for count in (1, 2, 6):
        assert channels[count].startswith(channels_text(SimpleNamespace(channels=count)))
    bar.channels.setCurrentIndex(bar.channels.findData(6))
    assert bar.values().channels == 6


def test_a_folder_label_too_long_leaves_out_middle_folders_and_keeps_the_library_and_the_last(qtbot):
    """Each wording fits and ends in the chosen folder's own name; the library folder's name stays
    while the room allows, whole folder names only, the cut marked."""
    metrics = QLabel().fontMetrics()
    parts = ("SFX Library", "Weapons", "Guns", "Automatic", "Far")
    whole = "/".join(parts)

    def fitted(text: str) -> str:  # the label fitted to exactly ``text``'s width
        return fitted_folder_label(parts, metrics, metrics.horizontalAdvance(text))

    assert fitted(whole) == whole
    assert fitted("SFX Library/…/Guns/Automatic/Far") == "SFX Library/…/Guns/Automatic/Far"
    assert fitted("SFX Library/…/Far") == "SFX Library/…/Far"
    assert fitted("…/Far") == "…/Far"
    for width in range(0, metrics.horizontalAdvance(whole) + 2, 3):
        shown = fitted_folder_label(parts, metrics, width)
        assert metrics.horizontalAdvance(shown) <= width or shown == ""
        if metrics.horizontalAdvance("…/Far") <= width:
            assert shown.endswith("/Far")
    library = fitted_folder_label(("SFX Library",), metrics, metrics.horizontalAdvance("SFX…ary"))
    assert library.startswith("SF") and library.endswith("y") and "…" in library  # cut in its middle, as in the tree


def test_the_folder_field_shows_a_deep_folder_fitted_to_it_and_its_whole_path_in_its_tooltip(qtbot):
    """A deep subfolder chosen, the narrow field showed the label's end cut through its first letter
    ("ns/Guns/Automatic/Far"). It shows the label fitted to it, as a line edit holding that text
    draws it; the field's text, which the results line names and typing edits, stays whole."""
    bar = FilterBar()
    qtbot.addWidget(bar)
    root = "/Volumes/Drive/SFX Library"
    far = f"{root}/Weapons/Guns/Automatic/Far"
    bar.set_folders([root])
    bar.set_subfolders(root, [f"{root}/Weapons", far])
    bar.set_folder(far)
    bar.show()
    qtbot.waitExposed(bar)
    field = bar.folder.lineEdit()
    whole = "SFX Library/Weapons/Guns/Automatic/Far"
    assert field.text() == bar.folder.currentText() == whole
    shown = field.shown_text()
    assert shown.startswith("SFX Library/…/") and shown.endswith("/Far")
    assert field.fontMetrics().horizontalAdvance(shown) <= field.width()
    painted = field.grab().toImage()
    bar.folder.setEditText(shown)  # what a line edit holding the fitted label draws
    assert field.grab().toImage() == painted
    bar.set_folder(far)  # the field shows the chosen folder again
    assert field.text() == whole
    assert bar.folder.toolTip().splitlines()[0] == far

    field.setFocus()  # typed in: the text itself, to edit
    qtbot.waitUntil(field.hasFocus)
    assert field.shown_text() == whole
