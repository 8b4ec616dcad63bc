"""The standing robustness corpus for chat (tests/chat_corpus.py, a fixed seed).

5,000+ odd messages through the runtime (bot/runtime.py, the path of the shell and the
grader) and a few hundred, invalid UTF-8 included, through the real shell's piped
stdin: no exception, every message answered with 1–3 messages, and both SQLite
databases intact afterwards. To fit CI time the work runs on both cores at once: the
shell (started first, by the `shell_run` fixture), half the conversations in this
process and half in a second runtime process writing the same databases.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

import pytest

import chat_corpus

TESTS = Path(__file__).resolve().parent
SEED, TOTAL, LENGTH = 11, 5_000, 8
SHELL_SEED, SHELL_TOTAL = 12, 300
INVALID_UTF8 = [b"\xff\xfe\xfd", b"\xc3\x28\xe9\x80\x80\xe8\xb4\xa7", b"\xed\xa0\x80\xe5\x8c\x85\xe9\x82\xae",
                b"\x80\x81\x82", "我要退货".encode("utf-8")[:-1], b"\xe5\x8c\x85\xe9\x82\xae\xe5\x90\x97\xc0\xaf"]
REPLY = "小悦："


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


# ------------------------------------------------------------------ the shell

def shell_lines(seed: int, total: int) -> List[bytes]:
    """Odd messages as the bytes a pipe would carry (one per line), invalid UTF-8 among
    them: lone surrogates are written as the bytes they would have, and every sixth
    line is broken on purpose. /quit and /exit would end the session early; /restart
    starts each conversation, as a student does."""
    lines: List[bytes] = []
    for talk in chat_corpus.conversations(seed, total, 20):
        lines.append(b"/restart")  # a shell session is one conversation; Rasa rereads all of it per message
        for kind, text in talk:
            text = re.sub(r"[\r\n]", " ", text)
            if text.strip().split(" ")[0] in ("/quit", "/exit"):
                text = "退出"
            lines.append(text.encode("utf-8", "surrogatepass"))
            if len(lines) % 6 == 0:
                lines.append(INVALID_UTF8[len(lines) % len(INVALID_UTF8)])
    return lines


def expects_reply(line: bytes) -> bool:
    """The shell answers a message; blank lines and its own commands (but /human) are not."""
    text = line.decode("utf-8", "replace").strip()
    return bool(text) and (not text.startswith("/") or text.split(" ")[0] == "/human")


@pytest.fixture(scope="module")
def shell_run(trained_project) -> Tuple[List[bytes], "Future[subprocess.CompletedProcess]"]:
    """The shell, fed through a pipe in a background thread (it runs while the runtime
    corpus runs)."""
    lines = shell_lines(SHELL_SEED, SHELL_TOTAL)
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(
        subprocess.run, [sys.executable, "-m", "bot", "shell", "--project", str(trained_project.root)],
        input=b"\n".join(lines) + b"\n", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=str(TESTS.parent), timeout=900)
    yield lines, future
    pool.shutdown()


# ------------------------------------------------------------------ the runtime

def test_odd_messages_through_the_runtime_are_all_answered(bot, shell_run):
    talks = chat_corpus.conversations(SEED, TOTAL, LENGTH)
    model, db = bot.project.model_path(), bot.project.conversations_db
    started = time.perf_counter()
    other = subprocess.Popen(
        [sys.executable, str(TESTS / "chat_corpus.py"), str(model), bot.action_url, str(db),
         str(SEED), str(TOTAL), str(LENGTH), "1", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(TESTS.parent),
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS.parent), os.environ.get("PYTHONPATH", "")])))
    here = bot.loop.run_until_complete(chat_corpus.converse(bot.runtime, chat_corpus.shard(talks, 0, 2), "corpus-0"))
    out, err = other.communicate(timeout=900)
    assert other.returncode == 0, err.decode("utf-8", "replace")[-3000:]
    there = json.loads(out.decode("utf-8").strip().splitlines()[-1])
    seconds = time.perf_counter() - started
    turns = here["turns"] + there["turns"]
    print(f"\nchat corpus (runtime): {turns} messages in {len(talks)} conversations, "
          f"{seconds:.0f} s, {len(here['problems']) + len(there['problems'])} problems")
    assert turns >= 5_000
    assert not here["problems"] and not there["problems"], (here["problems"] + there["problems"])[:20]
    for path in (bot.project.shop_db, db):
        assert integrity(path) == "ok", path


def test_odd_bytes_through_the_shells_pipe_are_all_answered(shell_run, trained_project):
    lines, future = shell_run
    result = future.result()
    out, err = result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, err[-3000:]
    assert "Traceback" not in out + err, err[-3000:]
    # the shell prints "你：" before reading each line: what follows is that line's answer
    answers = out.split("你：")[1:]
    assert len(answers) == len(lines) + 1, (len(answers), len(lines))  # + the prompt at EOF
    wrong = [(line[:40], answer[:200]) for line, answer in zip(lines, answers)
             if expects_reply(line) and not 1 <= answer.count(REPLY) <= 3
             or "（机器人没有回复）" in answer]
    assert not wrong, wrong[:10]
    assert sum(expects_reply(line) for line in lines) >= 300
    for path in (trained_project.shop_db, trained_project.conversations_db):
        assert integrity(path) == "ok", path


def test_the_corpus_is_the_same_every_run():
    assert chat_corpus.conversations(SEED, 300, LENGTH) == chat_corpus.conversations(SEED, 300, LENGTH)
    kinds = {kind for talk in chat_corpus.conversations(SEED, TOTAL, LENGTH) for kind, _ in talk}
    assert set(chat_corpus.KINDS) | {"repeated", "not_understood", "form", "question"} <= kinds
    assert any(b"\xff" in line or b"\xed\xa0" in line for line in shell_lines(SHELL_SEED, SHELL_TOTAL))
