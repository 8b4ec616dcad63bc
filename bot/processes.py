"""Subprocesses that start and stop the same way on Windows and on Linux/macOS.

The only place that knows how each system groups processes: a grading worker leads its
own group, so that `kill_tree` stops it together with the action server it started."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any, Dict

WINDOWS = sys.platform == "win32"


def own_group() -> Dict[str, Any]:
    """Popen arguments that put the child in a process group of its own (Ctrl+C in the
    console reaches only the parent, which stops its children itself)."""
    if WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def kill_tree(process: subprocess.Popen) -> None:
    """Stop `process` (started with `own_group`) and every process it started, now."""
    if WINDOWS:
        try:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        except (OSError, subprocess.SubprocessError):
            process.kill()
    else:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.wait()


def stop_when_orphaned(poll: float = 2.0) -> None:
    """In a child started with `own_group`: stop the child's whole group (itself and what
    it started) once its parent is gone, instead of finishing a job nobody will read.

    A cluster worker killed in the middle of a project (`dxm grade --cluster`) would
    otherwise leave its grader training on for up to a minute of CPU. POSIX only: on
    Windows the parent id of a process never changes.
    """
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
