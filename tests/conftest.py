"""Shared fixtures: the real domain, a temporary order database, trackers and a runner
that executes an action like the action server does and renders its replies with
Rasa's own response generator (so a missing {variable} fails the test)."""
from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
# `pytest` run as a script does not put the project on sys.path (`python -m pytest` does).
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))
UNFILLED = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """domain.yml as the dict the action server receives."""
    with open(PROJECT / "domain.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="session")
def answer_rules():
    """The course's answer rules, from the rubric `check` and `grade` read."""
    from bot.grading.rubric import load_rubric

    return load_rubric().answers


def wording_problems(rules, text: str) -> list:
    """The findings of the course's wording rules (absolute promises, 极限词, impolite
    words, placeholders) in a text the bot sends; length and 亲/您 are the writer's choice."""
    from bot import answer_rules as ar

    wording = (ar.PROMISE, ar.SUPERLATIVE, ar.IMPOLITE, ar.PLACEHOLDER)
    return [f for f in rules.check(text) if f.code in wording]


@pytest.fixture(scope="session")
def nlg(domain):
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    return TemplatedNaturalLanguageGenerator(domain["responses"])


@pytest.fixture
def shop_db(tmp_path, monkeypatch) -> Path:
    """SHOP_DB points at a fresh file; the first action seeds it from shop/orders.yml."""
    path = tmp_path / "shop.db"
    monkeypatch.setenv("SHOP_DB", str(path))
    monkeypatch.delenv("SHOP_DIR", raising=False)
    return path


def rows(db: Path, sql: str, *params) -> List[Dict[str, Any]]:
    """Query a test database read-only (a missing file is an error, never created)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def make_tracker(
    domain: Dict[str, Any],
    slots: Optional[Dict[str, Any]] = None,
    intent: Optional[str] = None,
    text: str = "",
    entities: Optional[List[Any]] = None,  # (entity, value) tuples or entity dicts
    events: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
    confidence: float = 0.95,
    ranking: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "test-user",
    append_user: bool = True,
):
    """A rasa_sdk Tracker whose latest message is `text` with `intent` and `entities`.

    The user event is appended to `events` unless append_user is False (then `events`
    must already hold it, e.g. followed by a form's slot candidates).
    """
    from rasa_sdk import Tracker

    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "entities": [
            {"entity": e[0], "value": e[1]} if isinstance(e, tuple) else e
            for e in entities or []
        ],
        "intent_ranking": ranking or (
            [{"name": intent, "confidence": confidence}] if intent else []),
    }
    all_slots = {name: None for name in domain.get("slots", {})}
    all_slots["requested_slot"] = None
    all_slots.update(slots or {})
    history = list(events or [])
    if append_user and (intent or text):
        history.append({"event": "user", "text": text, "parse_data": latest})
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def user_event(intent: str, text: str = "") -> Dict[str, Any]:
    return {"event": "user", "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": [],
                           "text": text}}


@dataclass
class Result:
    events: List[Dict[str, Any]]
    messages: List[Dict[str, Any]]
    texts: List[str] = field(default_factory=list)

    @property
    def responses(self) -> List[str]:
        return [m.get("response") for m in self.messages]

    def values(self, index: int = -1) -> Dict[str, Any]:
        """The variables the action passed to its index-th response."""
        skip = {"text", "buttons", "elements", "custom", "template", "response", "image",
                "attachment"}
        return {k: v for k, v in self.messages[index].items() if k not in skip}


@pytest.fixture
def run(domain, nlg, answer_rules):
    """run(action, tracker[, domain]) -> Result; every reply is rendered and held to the
    course's wording rules (no absolute promises, 极限词, impolite words, placeholders)."""

    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.utils import call_potential_coroutine

    def runner(action, tracker, with_domain=None) -> Result:
        dispatcher = CollectingDispatcher()

        async def go():
            return await call_potential_coroutine(
                action.run(dispatcher, tracker, with_domain or domain))

        events = asyncio.run(go())
        result = Result(events=events, messages=dispatcher.messages)
        for message in dispatcher.messages:
            name = message.get("response")
            assert name in domain["responses"], f"response {name} is not in domain.yml"
            slots = {k: v for k, v in tracker.slots.items() if v is not None}
            kwargs = {k: v for k, v in message.items() if k != "response"}  # as Rasa does
            rendered = nlg.generate_from_slots(name, slots, "collector", **kwargs)
            assert rendered and rendered.get("text"), f"{name} rendered nothing"
            text = rendered["text"]
            assert not UNFILLED.search(text), f"{name} left a variable unfilled: {text}"
            broken = wording_problems(answer_rules, text)
            assert not broken, f"{name} breaks the answer rules: {broken}: {text}"
            result.texts.append(text)
        return result

    return runner


@pytest.fixture(scope="session")
def trained_project(tmp_path_factory):
    """A copy of the reference project with a trained model (shared by the slow tests)."""
    import shutil

    from bot.project import Project
    from bot.training import train

    root = tmp_path_factory.mktemp("shop-bot")
    for name in ("config.yml", "domain.yml", "endpoints.yml"):
        shutil.copy(PROJECT / name, root / name)
    for folder in ("data", "shop"):
        shutil.copytree(PROJECT / folder, root / folder)
    project = Project.at(root)
    train(project)
    return project


@pytest.fixture(scope="session")
def served(trained_project):
    """`dxm serve` on the trained reference copy, shared by the HTTP and browser tests."""
    from servers import Served

    server = Served(trained_project)
    yield server
    server.stop()


def require_program(*names: str, package: str) -> str:
    """The path of a system program; CI (.ci/run installs it) fails without it."""
    import os

    from servers import find_program

    path = find_program(*names)
    if path:
        return path
    message = f"{names[0]} is not installed: apt-get install {package} (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Chat:
    """The trained bot loaded once, talking to a running action server."""

    def __init__(self, runtime, loop, project, action_url):
        self.runtime, self.loop, self.project, self.action_url = runtime, loop, project, action_url

    def conversation(self, context=None):
        sender = f"test-{uuid.uuid4().hex[:8]}"
        self.loop.run_until_complete(self.runtime.start_session(sender, context))
        return lambda text: self.loop.run_until_complete(self.runtime.send(sender, text))

    def rows(self, sql, *args):
        with sqlite3.connect(self.project.shop_db) as connection:
            return connection.execute(sql, args).fetchall()


@pytest.fixture(scope="session")
def bot(trained_project):
    """The runtime the shell and the grader use, on the trained project (session-wide:
    loading the model takes seconds)."""
    from bot.action_server import ActionServer
    from bot.runtime import BotRuntime

    project = trained_project
    loop = asyncio.new_event_loop()
    with ActionServer(project) as server:
        runtime = loop.run_until_complete(
            BotRuntime(project.model_path(), server.url, project.conversations_db).load())
        yield Chat(runtime, loop, project, server.url)
    loop.close()


# ------------------------------------------------------------------ Chinese consoles


@dataclass
class Console:
    """A console of a Chinese Windows PC, as a subprocess environment and its encoding."""

    name: str
    env: Dict[str, str]
    encoding: str
    file_names: str = "utf-8"   # how the system spells file names in bytes

    def path(self, base: Path, *names: str) -> Path:
        """base/names with the names as this system would have written them on disk."""
        import os

        return base.joinpath(*(os.fsdecode(name.encode(self.file_names)) for name in names))


def _stdout_encoding(env: Dict[str, str]) -> str:
    import subprocess

    return subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
                          env=env, capture_output=True, text=True, timeout=60).stdout.strip().lower()


@pytest.fixture(scope="session")
def gb18030_locale(tmp_path_factory) -> Dict[str, str]:
    """Environment variables of a zh_CN.GB18030 locale; built with localedef into a
    temporary LOCPATH when the system does not have it (no root needed)."""
    import os
    import shutil
    import subprocess

    wanted = {"LC_ALL": "zh_CN.GB18030"}
    if _stdout_encoding({**os.environ, **wanted}) == "gb18030":
        return wanted
    if not shutil.which("localedef"):
        pytest.skip("没有 localedef，无法生成 zh_CN.GB18030 locale（Debian/Ubuntu：apt-get install locales）")
    folder = tmp_path_factory.mktemp("locale")
    subprocess.run(["localedef", "-i", "zh_CN", "-f", "GB18030", str(folder / "zh_CN.GB18030")],
                   capture_output=True, timeout=300)
    wanted["LOCPATH"] = str(folder)
    if _stdout_encoding({**os.environ, **wanted}) != "gb18030":
        pytest.skip("localedef 没能生成 zh_CN.GB18030（缺少 /usr/share/i18n 里的 zh_CN 或 GB18030 定义）")
    return wanted


@pytest.fixture(params=["gbk", "gb18030"])
def chinese_console(request) -> Console:
    """Each test using it runs twice: PYTHONIOENCODING=gbk (what Python gets on a Chinese
    Windows when output is piped or redirected) and a zh_CN.GB18030 locale."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    if request.param == "gbk":
        return Console("gbk", {**env, "PYTHONIOENCODING": "gbk"}, "gbk")
    return Console("gb18030", {**env, **request.getfixturevalue("gb18030_locale")}, "gb18030", "gb18030")
