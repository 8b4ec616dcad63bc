"""Reads the conversation log: Rasa's SQL tracker store (var/conversations.db, or the
PostgreSQL database a class's `serve --tracker-store` shares).

Rasa's SQLTrackerStore writes one row per event to the table `events` (id, sender_id,
type_name, timestamp, intent_name, action_name, data): `data` is the event as JSON; a "user"
event carries `text` and `parse_data` (intent, confidence, intent_ranking). The chat shell's
智能辅助 mode adds a table `assist_choices`. This module reads both with plain sqlite3
(read-only, no Rasa import; PostgreSQL through SQLAlchemy, as Rasa's tracker store does) and
pairs every customer message with the bot actions that followed it.
"""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

# Events that are bookkeeping, not the bot's answer to a message.
IGNORED_ACTIONS = {"action_listen", "action_session_start", "action_restart", "action_extract_slots"}


class LogError(Exception):
    """The log exists but cannot be read; the message says why, in Chinese."""


@dataclass
class Message:
    """One customer message and what the bot did about it."""

    sender_id: str
    text: str
    timestamp: float
    intent: Optional[str]
    confidence: float
    ranking: List[Tuple[str, float]]
    actions: List[str] = field(default_factory=list)


@dataclass
class AssistChoice:
    """One reply chosen in the shell's 智能辅助 mode."""

    text: str
    suggested_intent: Optional[str]
    chosen_intent: Optional[str]
    adopted: bool
    custom_reply: Optional[str]


@dataclass
class ConversationLog:
    path: Path
    exists: bool
    messages: List[Message]
    assist: Optional[List[AssistChoice]]   # None: the table does not exist
    source: Optional[str] = None           # where the events came from, when not `path`

    @property
    def empty(self) -> bool:
        return not self.messages and not self.assist


def _user_message(sender_id: str, timestamp: Optional[float], intent_name: Optional[str],
                  data: Dict[str, Any]) -> Optional[Message]:
    text = str(data.get("text") or "").replace("\r", " ").replace("\n", " ").strip()
    if not text:
        return None
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    ranking = []
    for entry in parse.get("intent_ranking") or []:
        if isinstance(entry, dict) and entry.get("name"):
            try:
                ranking.append((str(entry["name"]), float(entry.get("confidence") or 0.0)))
            except (TypeError, ValueError):
                continue
    try:
        confidence = float(intent.get("confidence") or 0.0)
    except (TypeError, ValueError):
        confidence = 0.0
    return Message(sender_id=sender_id, text=text, timestamp=float(timestamp or data.get("timestamp") or 0.0),
                   intent=intent.get("name") or intent_name, confidence=confidence, ranking=ranking)


EVENTS_QUERY = ("SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
                "FROM events ORDER BY sender_id, id")


def _read_events(rows: Iterable[Tuple[Any, ...]]) -> List[Message]:
    """Customer messages from the tracker store's rows (EVENTS_QUERY's columns)."""
    messages: List[Message] = []
    last_by_sender: Dict[str, Message] = {}
    for sender_id, type_name, timestamp, intent_name, action_name, raw in rows:
        if type_name == "user":
            try:
                data = json.loads(raw or "{}")
            except json.JSONDecodeError:
                data = {}
            if (message := _user_message(str(sender_id), timestamp, intent_name, data)) is not None:
                messages.append(message)
                last_by_sender[str(sender_id)] = message
        elif type_name == "action" and action_name and action_name not in IGNORED_ACTIONS:
            if (message := last_by_sender.get(str(sender_id))) is not None:
                message.actions.append(str(action_name))
        elif type_name in ("restart", "session_started"):
            last_by_sender.pop(str(sender_id), None)
    messages.sort(key=lambda m: (m.timestamp, m.sender_id))
    return messages


def _read_assist(connection: sqlite3.Connection) -> List[AssistChoice]:
    cursor = connection.execute("SELECT * FROM assist_choices")
    columns = [c[0] for c in cursor.description]
    choices = []
    for row in cursor:
        record = dict(zip(columns, row))
        adopted = record.get("adopted")
        if isinstance(adopted, str):
            adopted = adopted.strip().lower() in ("1", "true", "yes", "是")
        choices.append(AssistChoice(
            text=str(record.get("text") or "").replace("\n", " ").strip(),
            suggested_intent=record.get("suggested_intent") or None,
            chosen_intent=record.get("chosen_intent") or None,
            adopted=bool(adopted),
            custom_reply=record.get("custom_reply") or None,
        ))
    return choices


def _read_shared_events(url: str) -> Tuple[List[Message], str]:
    """The events a class's `serve` processes wrote to PostgreSQL (--tracker-store)."""
    import sqlalchemy

    try:
        address = sqlalchemy.engine.make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise LogError(f"对话记录库地址“{url}”写法不对：应当像 postgresql://用户:密码@主机:端口/库名，"
                       "和 serve 的 --tracker-store 一样。") from None
    if not address.database:  # as serve does (bot.web.server.tracker_store_config)
        address = address.set(database="postgres")
    shown = address.render_as_string(hide_password=True)
    try:
        engine = sqlalchemy.create_engine(address)
        try:
            with engine.connect() as connection:
                if not sqlalchemy.inspect(connection).has_table("events"):
                    return [], shown
                return _read_events(connection.execute(sqlalchemy.text(EVENTS_QUERY))), shown
        finally:
            engine.dispose()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise LogError(f"读不了对话记录库 {shown}：{reason}。请确认地址、用户名和密码和 "
                       "serve 的 --tracker-store 写的一样，并且数据库服务器在运行。") from exc


def read_log(path: Path, tracker_store: Optional[str] = None) -> ConversationLog:
    """The conversations in `path`; an empty log when the file or its tables are missing.
    tracker_store: a `postgresql://…` address that `serve --tracker-store` wrote the
    conversations to; 智能辅助 choices stay in `path` either way."""
    path = Path(path)
    if tracker_store:
        messages, shown = _read_shared_events(tracker_store)
        assist = read_log(path).assist  # None when the file or its table is missing
        return ConversationLog(path=path, exists=True, messages=messages, assist=assist, source=shown)
    if not path.exists():
        return ConversationLog(path=path, exists=False, messages=[], assist=None)
    try:
        # the path's bytes as the file system has them (UTF-8 on Windows, the locale's
        # encoding elsewhere), percent-encoded: a Chinese folder name works everywhere
        uri = "file:" + quote(os.fsencode(path.resolve().as_posix()), safe="/:") + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise LogError(f"打不开对话记录 {path}：{exc}") from exc
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        messages = _read_events(connection.execute(EVENTS_QUERY)) if "events" in tables else []
        assist = _read_assist(connection) if "assist_choices" in tables else None
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc):
            raise LogError(f"对话记录 {path} 正被其他程序占用：先关掉对话窗口（shell）再诊断。") from exc
        raise LogError(f"{path} 不是有效的对话记录数据库（{exc}）。"
                       "可以把它改名备份，再用 shell 重新对话生成新的记录。") from exc
    finally:
        connection.close()
    return ConversationLog(path=path, exists=True, messages=messages, assist=assist)
