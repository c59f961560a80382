"""A one-line progress bar on stderr, drawn only in a terminal.

Worked example::

    from erplite.tools.progress import ProgressBar, progress

    for module in progress(modules, total=len(modules), label="Installing"):
        install(module)

    with ProgressBar(total=len(files), label="Loading data") as bar:
        for path in files:
            bar.set_label(f"Loading {path.name}")
            load(path)
            bar.update()

When stderr is not a terminal (a log file, CI, a pipe) nothing is written at all, so the
registry can use the bar unconditionally. Redrawing is rate-limited, so a bar around a tight loop
costs next to nothing.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

__all__ = ["ProgressBar", "progress", "clear_active_bar"]

T = TypeVar("T")

_REDRAW_INTERVAL = 0.1  # seconds
_active: list[ProgressBar] = []  # the bars drawn right now, innermost last


def clear_active_bar() -> None:
    """Erase the bar being drawn, if any, so that a log line can be written in its place.

    The CLI's logging handler calls this before each record; the bar redraws itself at its next
    update, below the log line.
    """
    for bar in _active:
        bar._erase()


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressBar:
    """``label [#######.......] 7/20  35%`` on one line of stderr, when stderr is a TTY.

    ``total`` may be None (unknown): the bar then shows the count only. ``stream`` defaults to
    ``sys.stderr`` as it is when the bar is created; ``enabled`` forces drawing on or off.
    """

    def __init__(
        self,
        total: int | None,
        label: str = "",
        *,
        stream: IO[str] | None = None,
        enabled: bool | None = None,
    ):
        self.total = total
        self.label = label
        self.count = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_tty(self.stream) if enabled is None else enabled
        self._last_draw = 0.0
        self._drawn = False
        self._closed = False

    # -- progress ------------------------------------------------------------------------------
    def update(self, n: int = 1) -> None:
        """Count ``n`` more steps done."""
        self.count += n
        self._draw()

    def set_label(self, label: str) -> None:
        self.label = label
        self._draw()

    def close(self) -> None:
        """Draw the final state and end the line (nothing when disabled)."""
        if self._closed:
            return
        if self in _active:
            _active.remove(self)
        if self.enabled:
            self._draw(force=True)
            self._write("\n")
        self._closed = True

    # -- drawing -------------------------------------------------------------------------------
    def render(self, width: int = 80) -> str:
        """The bar's text for a terminal ``width`` columns wide."""
        if self.total:
            done = min(self.count, self.total)
            counter = f" {done}/{self.total} {100 * done // self.total:3d}%"
        else:
            counter = f" {self.count}"
        label = self.label
        bar_width = max(10, min(40, width - len(label) - len(counter) - 4))
        if self.total:
            filled = bar_width * min(self.count, self.total) // self.total
            bar = "[" + "#" * filled + "." * (bar_width - filled) + "]"
        else:
            bar = ""
        room = width - len(bar) - len(counter) - 2
        if len(label) > room:
            label = label[: max(0, room - 1)] + "…" if room > 1 else ""
        text = f"{label} {bar}{counter}" if label else f"{bar}{counter}"
        return text[: width - 1]

    def _draw(self, force: bool = False) -> None:
        if not self.enabled or self._closed:
            return
        now = time.monotonic()
        finished = self.total is not None and self.count >= self.total
        if not force and not finished and now - self._last_draw < _REDRAW_INTERVAL:
            return
        self._last_draw = now
        width = shutil.get_terminal_size((80, 24)).columns
        # \r back to the line's start, then clear what a longer previous label left behind.
        self._write("\r" + self.render(width) + "\x1b[K")
        self._drawn = True

    def _erase(self) -> None:
        if self.enabled and self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False
            self._last_draw = 0.0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken terminal must not break the caller
            self.enabled = False

    # -- context manager -----------------------------------------------------------------------
    def __enter__(self) -> ProgressBar:
        _active.append(self)
        self._draw(force=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()


def progress(
    iterable: Iterable[T],
    total: int | None = None,
    label: str = "",
    *,
    stream: IO[str] | None = None,
    enabled: bool | None = None,
) -> Iterator[T]:
    """Yield the items of ``iterable`` while drawing a :class:`ProgressBar` of ``total`` steps.

    ``total`` defaults to ``len(iterable)`` when the iterable has a length.
    """
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    with ProgressBar(total, label, stream=stream, enabled=enabled) as bar:
        for item in iterable:
            yield item
            bar.update()
