"""Terminal output for users: Chinese messages and a progress line, all through `write`.

A Chinese Windows console or a redirected stream is GBK (cp936): every Chinese character
but no emoji, and the training data and answers are full of emoji. `setup_streams` (run
when the CLI starts) keeps each stream's encoding, UTF-8 where it is UTF-8, and makes what
it cannot show disappear (emoji) or become "?" (anything else) instead of crashing.
"""
from __future__ import annotations

import codecs
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, TextIO

# Emoji and their modifiers, joiners and variation selectors: dropped, not shown as "?".
_DROPPED_CATEGORIES = {"So", "Sk", "Cf", "Mn", "Cs"}
UNSHOWABLE = "dxm-console"


def _unshowable(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    shown = "".join("" if unicodedata.category(c) in _DROPPED_CATEGORIES else "?"
                    for c in exc.object[exc.start:exc.end])
    return shown, exc.end


codecs.register_error(UNSHOWABLE, _unshowable)


def setup_streams() -> None:
    """Make stdout and stderr replace what their encoding cannot show."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # a TextIOWrapper (a test may have put something else)
            stream.reconfigure(errors=UNSHOWABLE)


def can_show(text: str, stream: Optional[TextIO] = None) -> bool:
    try:
        text.encode((stream or sys.stdout).encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def write(text: str, stream: Optional[TextIO] = None, end: str = "\n") -> None:
    """The one way user-facing text reaches the terminal."""
    stream = stream or sys.stdout
    stream.write(text + end)
    stream.flush()


def info(message: str) -> None:
    write(printable(message))


def error(message: str) -> None:
    write(f"错误：{printable(message)}", sys.stderr)


def read_piped_line(stream: Optional[TextIO] = None) -> Optional[str]:
    """A line of piped input (None at the end): UTF-8 when it is, else the console's encoding.

    `echo 在吗 | dxm shell` sends UTF-8 from most shells and editors, GBK from cmd.exe.
    """
    stream = stream or sys.stdin
    raw = stream.buffer.readline()
    if not raw:
        return None
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        line = raw.decode(stream.encoding or "gb18030", errors="replace")
    return line.rstrip("\r\n")


def printable(text: str) -> str:
    """TEXT as it can be shown and written anywhere.

    A file name that is not valid UTF-8 reaches Python with its bytes escaped as lone
    surrogates, which no encoder writes. Its bytes are shown as GBK when they are GBK
    (a Chinese Windows name unpacked elsewhere), otherwise bad bytes become "�".
    """
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes
        return text.encode("utf-8", "replace").decode("utf-8")
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def to_console(env: dict) -> dict:
    """`env` for a subprocess writing straight to this console: its encoding, never a crash."""
    return {**env, "PYTHONIOENCODING": f"{sys.stdout.encoding or 'utf-8'}:replace"}


@contextmanager
def progress(label: str, status: Callable[[], str] = lambda: "") -> Iterator[None]:
    """A one-line spinner with elapsed seconds while a long step runs."""
    interactive = sys.stdout.isatty()
    done = threading.Event()
    start = time.monotonic()
    frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" if can_show("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") else "|/-\\"

    def spin() -> None:
        i = 0
        while not done.wait(0.2):
            extra = status()
            line = f"\r{frames[i % len(frames)]} {label} {time.monotonic() - start:5.0f} 秒  {extra}"
            write(line[:100].ljust(60), end="")
            i += 1

    thread = threading.Thread(target=spin, daemon=True)
    if interactive:
        thread.start()
    else:
        info(f"{label} ...")
    try:
        yield
    finally:
        done.set()
        if interactive:
            thread.join()
            write("\r" + " " * 100 + "\r", end="")
        info(f"{label}：用时 {time.monotonic() - start:.0f} 秒")
