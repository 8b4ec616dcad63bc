"""Starts and stops the Rasa action server for a project, so users never have to."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Optional

from bot.project import REFERENCE_ROOT, Project
from bot.training import rasa_environment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ActionServerError(Exception):
    pass


class ActionServer:
    """`with ActionServer(project) as server:` runs rasa_sdk on a free local port."""

    def __init__(self, project: Project, port: Optional[int] = None,
                 log_name: str = "actions.log") -> None:
        self.project = project
        self.port = port or free_port()
        self.process: Optional[subprocess.Popen] = None
        self.log_path: Path = project.var / "logs" / log_name

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self) -> "ActionServer":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.port)],
            cwd=REFERENCE_ROOT, env=rasa_environment(self.project),
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        health = f"http://127.0.0.1:{self.port}/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ActionServerError(
                    f"动作服务器启动失败，日志见 {self.log_path}：\n"
                    + self.log_path.read_text("utf-8", errors="replace")[-1500:]
                )
            try:
                with urllib.request.urlopen(health, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise ActionServerError(f"动作服务器 {timeout:.0f} 秒内没有就绪，日志见 {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "ActionServer":
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
