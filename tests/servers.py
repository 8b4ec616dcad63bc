"""Real server processes for the tests and bench/serve_load.py: `dxm serve`, and
PostgreSQL and Redis from the distribution's packages on 127.0.0.1 in a temp dir.
(Test helpers: POSIX only, like CI.)"""
from __future__ import annotations

import glob
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, List, Optional

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bot.action_server import free_port  # noqa: E402


def find_program(*names: str) -> Optional[str]:
    """A program on PATH, or PostgreSQL's in Debian's versioned folder."""
    for name in names:
        path = shutil.which(name) or next(iter(sorted(
            glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
        if path:
            return path
    return None


class Served:
    """A real `python -m bot serve` process on a free port (stopped with Ctrl-C)."""

    def __init__(self, project, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--project", str(project.root),
             "--port", str(self.port), *options],
            cwd=str(PROJECT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            encoding="utf-8", errors="replace")
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.output: List[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("测试窗已启动", timeout=300)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if text in line:
                return line
        raise AssertionError(f"serve never printed {text!r}:\n{''.join(self.output)}")

    def post(self, path: str, body: Any, raw: Optional[bytes] = None):
        """(status, parsed JSON) of a POST with a JSON body."""
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def stop(self) -> str:
        """Ctrl-C, as a user stops it; returns everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)
        return "".join(self.output)



def _as_postgres_user() -> List[str]:
    """PostgreSQL refuses to run as root: CI containers run it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class LocalPostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (initdb + pg_ctl)."""

    def __init__(self) -> None:
        initdb = find_program("initdb")
        assert initdb, "initdb is not installed: apt-get install postgresql"
        self.bin = Path(initdb).resolve().parent
        self.root = Path(tempfile.mkdtemp(prefix="dxm-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self._run("initdb", "-D", str(self.data), "-U", "dxm", "--auth=trust",
                  "-E", "UTF8", "--locale=C")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-w",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
                        " -c fsync=off -c max_connections=200", "start")
        self.url = f"postgresql://dxm@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(_as_postgres_user() + [str(self.bin / program), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root)

    def events(self, sender_id: str) -> List[dict]:
        """The tracker events Rasa's SQLTrackerStore saved for `sender_id`, in order."""
        import psycopg2

        with psycopg2.connect(host="127.0.0.1", port=self.port, user="dxm",
                              dbname="postgres") as connection:
            with connection.cursor() as cursor:
                cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id",
                               (sender_id,))
                return [json.loads(data) for (data,) in cursor.fetchall()]

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class LocalRedis:
    """A throwaway redis-server on 127.0.0.1 without persistence."""

    def __init__(self) -> None:
        program = find_program("redis-server")
        assert program, "redis-server is not installed: apt-get install redis-server"
        self.root = Path(tempfile.mkdtemp(prefix="dxm-redis-"))
        self.port = free_port()
        self.process = subprocess.Popen(
            [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                assert time.monotonic() < deadline and self.process.poll() is None
                time.sleep(0.1)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


def user_texts(events: List[dict]) -> List[str]:
    return [e["text"] for e in events if e.get("event") == "user"]


def interleaved(events: List[dict]) -> bool:
    """True when a customer message arrived before the bot finished the previous one."""
    kinds = [e.get("event") for e in events if e.get("event") in ("user", "action", "bot")]
    return any(a == "user" and b == "user" for a, b in zip(kinds, kinds[1:]))
