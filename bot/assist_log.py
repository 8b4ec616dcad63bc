"""Records what the agent did with the bot's suggestions in 智能辅助 mode.

Stored next to Rasa's tracker events in var/conversations.db, so `diagnose` can
report the adoption rate, as 店小蜜 does.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Optional

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
             0 if custom_reply else 1, custom_reply, time.time()),
        )
