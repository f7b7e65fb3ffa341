"""The filter bar as typed into: what it asks the engine for."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt

from app.results_model import channels_text, rate_text
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
