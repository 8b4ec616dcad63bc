"""Records what the agent did with the bot's suggestions in 智能辅助 mode.

Stored next to Rasa's tracker events in var/conversations.db, so `diagnose` can
report the adoption rate, as 店小蜜 does.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:
    from bot.runtime import BotRuntime, Candidate, Turn

SCHEMA = """CREATE TABLE IF NOT EXISTS assist_choices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id TEXT NOT NULL,
    text TEXT NOT NULL,
    suggested_intent TEXT,
    chosen_intent TEXT,
    adopted INTEGER NOT NULL,
    custom_reply TEXT,
    created_at REAL NOT NULL
)"""


def record_choice(db: Path, sender_id: str, text: str, suggested_intent: Optional[str],
                  chosen_intent: Optional[str], custom_reply: Optional[str] = None) -> None:
    """adopted = 1 when the agent sent one of the bot's suggestions, 0 for an own reply."""
    with sqlite3.connect(db) as connection:
        connection.execute(SCHEMA)
        connection.execute(
            "INSERT INTO assist_choices (sender_id, text, suggested_intent, chosen_intent,"
            " adopted, custom_reply, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sender_id, text, suggested_intent, chosen_intent,
             0 if custom_reply else 1, custom_reply, time.time()))


async def adopt(runtime: "BotRuntime", db: Path, sender_id: str, text: str,
                candidates: List["Candidate"], index: int) -> "Turn":
    """The agent sent the bot's suggestion number `index`: answer with it and log it."""
    picked = candidates[index]
    record_choice(db, sender_id, text, candidates[0].intent, picked.intent)
    return await runtime.send(sender_id, text, parse_data=picked.parse_data)


async def reply_instead(runtime: "BotRuntime", db: Path, sender_id: str, text: str,
                        candidates: List["Candidate"], reply: str) -> None:
    """The agent answered with their own words: keep both in the conversation and log it."""
    await runtime.log_own_reply(sender_id, text, reply)
    record_choice(db, sender_id, text, candidates[0].intent if candidates else None, None,
                  custom_reply=reply)
