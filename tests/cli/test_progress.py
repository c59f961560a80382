"""erplite.tools.progress: drawn on a terminal only."""

from __future__ import annotations

import io

from erplite.tools.progress import ProgressBar, clear_active_bar, progress


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_stderr_is_not_a_tty(capsys):
    assert list(progress(range(5), label="Installing")) == [0, 1, 2, 3, 4]
    with ProgressBar(3, "Loading") as bar:
        bar.update()
        bar.set_label("Loading more")
        bar.update(2)
    assert capsys.readouterr().err == ""


def test_silent_on_a_pipe_or_file():
    stream = io.StringIO()
    assert list(progress(["a", "b"], stream=stream)) == ["a", "b"]
    assert stream.getvalue() == ""


def test_drawn_on_a_tty():
    stream = FakeTTY()
    assert list(progress(range(4), label="Installing", stream=stream)) == [0, 1, 2, 3]
    out = stream.getvalue()
    assert out.startswith("\r")
    assert out.endswith("\n") and out.count("\n") == 1  # one line, ended once
    assert "Installing [" in out and "4/4 100%" in out


def test_generators_without_length():
    stream = FakeTTY()
    assert list(progress((i for i in range(3)), stream=stream)) == [0, 1, 2]
    assert " 3" in stream.getvalue()


def test_render():
    bar = ProgressBar(10, "Upgrading", enabled=False)
    bar.count = 5
    text = bar.render(60)
    assert text.startswith("Upgrading [") and text.endswith("5/10  50%")
    assert "#" in text and "." in text
    assert len(text) < 60
    bar.label = "x" * 200
    assert len(bar.render(60)) < 60  # long labels are cut, never wrapped


def test_log_lines_erase_the_bar():
    stream = FakeTTY()
    with ProgressBar(2, "Loading", stream=stream) as bar:
        clear_active_bar()
        assert stream.getvalue().endswith("\r\x1b[K")
        bar.update(2)
    assert stream.getvalue().endswith("2/2 100%\x1b[K\n")
