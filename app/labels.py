"""A label that fits its width: a shorter wording where one is given, then "…", never clipped mid-word."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QWidget


def first_fitting(
    wordings: Sequence[str], metrics: QFontMetrics, width: int, cut: Qt.TextElideMode = Qt.ElideRight
) -> str:
    """The first of ``wordings`` (longest first) that fits ``width`` px, else the last one cut with
    "…" where ``cut`` says: the one way a label, a field or a column shortens what it shows."""
    fitting = next((w for w in wordings if metrics.horizontalAdvance(w) <= width), None)
    return fitting if fitting is not None else metrics.elidedText(wordings[-1], cut, max(width, 0))


def path_wordings(head: str, below: Sequence[str], sep: str = "/") -> list[str]:
    """The ways to show a folder from ``head`` down through ``below``, longest first (for
    :func:`first_fitting`): whole; ``head`` and as many of the deepest folders as fit ("SFX
    Library/…/Automatic/Far": where, and what); the deepest folders alone ("…/Far"); the deepest
    folder's name alone."""
    wordings = [sep.join([head, *below])]
    wordings += [sep.join([head, "…", *below[-kept:]]) for kept in range(len(below) - 1, 0, -1)]
    wordings += [sep.join(["…", *below[-kept:]]) for kept in range(len(below), 0, -1)]
    return [*wordings, below[-1]] if below else wordings


class ElidedLabel(QLabel):
    """One line of text that shows the longest of its wordings that fits (``text()``, then each of
    ``shorter`` in turn), the last one elided with "…" when none does; its tooltip then holds the
    whole text. It asks for its whole text's width but can shrink to nothing, so a layout short of
    room squeezes it rather than the widgets beside it (a plain QLabel cuts its text off mid-word)."""

    def __init__(self, text: str = "", shorter: Sequence[str] = (), parent: QWidget | None = None, **kwargs):
        super().__init__(text, parent, **kwargs)
        self._shorter = tuple(shorter)
        self._own_tooltip = bool(kwargs.get("toolTip"))
        self.setWordWrap(False)

    def shown_text(self) -> str:
        """What fits the label's width now."""
        return first_fitting((self.text(), *self._shorter), self.fontMetrics(), self.contentsRect().width())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._tooltip_follows()

    def say(self, text: str, shorter: Sequence[str] = ()) -> None:
        """New wordings, longest first, as the constructor takes them."""
        self._shorter = tuple(shorter)
        self.setText(text)
        self.update()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._tooltip_follows()

    def setToolTip(self, text: str) -> None:
        """A tooltip set from outside (a file's whole path, say) stays; an empty one hands the tooltip
        back to the label, which then shows the whole text only while it is elided."""
        self._own_tooltip = bool(text)
        if text:
            super().setToolTip(text)
        else:
            self._tooltip_follows()

    def _tooltip_follows(self) -> None:
        if not self._own_tooltip:
            super().setToolTip("" if self.shown_text() == self.text() else self.text())

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )


class WrappedLabel(QLabel):
    """Text wrapped to the label's width, whole while the layout gives it the lines it needs; its
    tooltip holds the whole text only while it does not (a preview panel dragged short), as
    :class:`ElidedLabel`'s does while it is elided."""

    def __init__(self, text: str = "", parent: QWidget | None = None, **kwargs):
        super().__init__(text, parent, **kwargs)
        self.setWordWrap(True)

    def is_cut(self) -> bool:
        """Whether some of its lines are out of sight."""
        return self.height() < self.heightForWidth(self.width())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._tooltip_follows()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._tooltip_follows()

    def _tooltip_follows(self) -> None:
        self.setToolTip(self.text() if self.is_cut() else "")
