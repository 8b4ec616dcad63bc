"""The clock and the date formats the database and the replies use.

Times are naive local datetimes (the shop's time zone is the server's), stored in
SQLite as "YYYY-MM-DD HH:MM:SS" text so they sort and read well in any SQLite viewer.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional, Text

DB_FORMAT = "%Y-%m-%d %H:%M:%S"


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def to_db(moment: Optional[datetime]) -> Optional[Text]:
    return moment.strftime(DB_FORMAT) if moment else None


def from_db(value: Optional[Text]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return datetime.strptime(str(value)[:19], DB_FORMAT)
    except ValueError:
        return None


def day_text(moment: Optional[datetime]) -> Text:
    """11月23日"""
    return f"{moment.month}月{moment.day}日" if moment else ""


def minute_text(moment: Optional[datetime]) -> Text:
    """11月23日 14:05"""
    return f"{day_text(moment)} {moment:%H:%M}" if moment else ""
