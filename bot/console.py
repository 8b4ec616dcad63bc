"""Terminal output for users: Chinese messages, a progress line, quiet Rasa."""
from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Optional


def quiet_environment(env: Optional[dict] = None) -> dict:
    """Environment variables that keep TensorFlow, Rasa and friends quiet."""
    env = dict(os.environ if env is None else env)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONWARNINGS", "ignore")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


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


def info(message: str) -> None:
    print(printable(message), flush=True)


def error(message: str) -> None:
    print(f"错误：{printable(message)}", file=sys.stderr, flush=True)


@contextmanager
def progress(label: str, status: Callable[[], str] = lambda: "") -> Iterator[None]:
    """A one-line spinner with elapsed seconds while a long step runs."""
    interactive = sys.stdout.isatty()
    done = threading.Event()
    start = time.monotonic()

    def spin() -> None:
        frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
        i = 0
        while not done.wait(0.2):
            extra = status()
            line = f"\r{frames[i % len(frames)]} {label} {time.monotonic() - start:5.0f} 秒  {extra}"
            sys.stdout.write(line[:100].ljust(60))
            sys.stdout.flush()
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
            sys.stdout.write("\r" + " " * 100 + "\r")
        info(f"{label}：用时 {time.monotonic() - start:.0f} 秒")
