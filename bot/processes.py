"""Subprocesses that start and stop the same way on Windows and on Linux/macOS.

The only place that knows how each system groups processes (a grading worker leads its
own group, so that `kill_tree` stops it together with the action server it started) and
the one place that builds a Python subprocess's environment (`python_environment`)."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

from bot.project import REFERENCE_ROOT

WINDOWS = sys.platform == "win32"


def own_group() -> Dict[str, Any]:
    """Popen arguments that put the child in a process group of its own (Ctrl+C in the
    console reaches only the parent, which stops its children itself)."""
    return ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if WINDOWS
            else {"start_new_session": True})


def kill_tree(process: subprocess.Popen) -> None:
    """Stop `process` (started with `own_group`) and every process it started, now."""
    if WINDOWS:
        try:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        except (OSError, subprocess.SubprocessError):
            process.kill()
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def python_environment(first: Sequence[Path] = (), **settings: Optional[str]) -> Dict[str, str]:
    """The environment of every Python subprocess we start (Rasa, actions, workers, benches).

    - PYTHONPATH: `first`, the reference project (its `components` and `actions` serve
      every project), then what this process inherited, each folder once (a grading
      process inherits what its Dask worker got from us), joined with os.pathsep (";" on
      Windows, where ":" is part of "C:\\").
    - TensorFlow, Rasa and friends quiet, no telemetry, UTF-8 everywhere: their output
      goes to our logs and pipes (console.to_console is for output shown to the user).
    - `settings`: more variables for this subprocess; None removes one.
    """
    env = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",  # unless set already
           "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", **os.environ}
    inherited = env["PYTHONPATH"].split(os.pathsep) if env.get("PYTHONPATH") else []
    folders = [str(p) for p in (*first, REFERENCE_ROOT)] + inherited
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(f for f in folders if f))
    env["PYTHONIOENCODING"] = "utf-8"
    if sys.getfilesystemencoding() == "utf-8":
        # open() without an encoding reads UTF-8 on Windows too. Not under a GBK/GB18030
        # locale on Linux: the children would then spell file names differently from us.
        env["PYTHONUTF8"] = "1"
    return {name: value for name, value in {**env, **settings}.items() if value is not None}


def stop_when_orphaned(poll: float = 2.0) -> None:
    """In a child started with `own_group`: stop its whole group (itself and what it
    started) once its parent is gone, instead of finishing a job nobody will read (a
    cluster worker killed in the middle of a project would leave its grader training on
    for up to a minute of CPU). POSIX only: on Windows a parent id never changes."""
    if WINDOWS:
        return
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True, name="stop-when-orphaned").start()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
