"""The shop's order database (SQLite, standard library only).

`OrderStore` owns every SQL statement of the actions. The database file is
$SHOP_DB if set, else <project>/var/shop.db. Nothing connects at import time: the
first call creates the file, its tables and the demo orders from shop/orders.yml.
An existing order database is never overwritten or re-seeded; delete the file to
start over with fresh demo orders (their dates count back from that moment).

Tables
  orders           one row per order (status: unpaid, paid, shipped, delivered,
                   completed, closed)
  tracking_events  the courier's tracking history of an order
  refunds          after-sales applications (kind: return, refund, exchange)
  tickets          after-sales tickets the bot opens (damaged, defect, wrong_item, fake,
                   allergy, not_received, address_change)
  urges            "please ship faster" requests recorded for overdue orders
  handoffs         conversations handed to a human (reason: complaint,
                   customer_request, unresolved)
  unrecognised     messages the bot did not understand, for the 问答诊断 report

All statements are parameterised: customer text is data, never SQL.
"""
from __future__ import annotations

import logging
import os
import re
import sqlite3
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Text

from actions import shop_data, timeutil

logger = logging.getLogger(__name__)

DEFAULT_DB = shop_data.PROJECT_DIR / "var" / "shop.db"
# Free text is stored up to this length (a 5,000-character message is cut, not refused).
MAX_TEXT = 1000

ORDER_STATUSES = ("unpaid", "paid", "shipped", "delivered", "completed", "closed")
REFUND_KINDS = ("return", "refund", "exchange")
REFUND_STATUSES = ("pending", "agreed", "returning", "refunding", "completed", "closed")
TICKET_KINDS = ("damaged", "defect", "wrong_item", "fake", "allergy", "not_received",
                "address_change")
HANDOFF_REASONS = ("complaint", "customer_request", "unresolved")
ORDER_ID_PATTERN = re.compile(r"^42\d{17}$")


def _in(values) -> Text:
    return ", ".join(f"'{v}'" for v in values)


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS orders (
    order_id     TEXT PRIMARY KEY,
    buyer        TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    color        TEXT,
    size         TEXT,
    quantity     INTEGER NOT NULL DEFAULT 1,
    amount       REAL NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ({_in(ORDER_STATUSES)})),
    created_at   TEXT NOT NULL,
    paid_at      TEXT,
    shipped_at   TEXT,
    delivered_at TEXT,
    completed_at TEXT,
    closed_at    TEXT,
    address      TEXT,
    courier      TEXT,
    tracking_no  TEXT
);
CREATE TABLE IF NOT EXISTS tracking_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    happened_at  TEXT NOT NULL,
    description  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tracking_events_order ON tracking_events (order_id, happened_at);
CREATE TABLE IF NOT EXISTS refunds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    kind         TEXT NOT NULL CHECK (kind IN ({_in(REFUND_KINDS)})),
    status       TEXT NOT NULL CHECK (status IN ({_in(REFUND_STATUSES)})),
    amount       REAL NOT NULL,
    reason       TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    completed_at TEXT
);
CREATE INDEX IF NOT EXISTS refunds_order ON refunds (order_id);
CREATE TABLE IF NOT EXISTS tickets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_no    TEXT UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ({_in(TICKET_KINDS)})),
    order_id     TEXT,
    sender_id    TEXT,
    text         TEXT,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_order ON tickets (order_id, kind, status);
CREATE TABLE IF NOT EXISTS urges (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL,
    sender_id    TEXT,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS handoffs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id    TEXT,
    reason       TEXT NOT NULL CHECK (reason IN ({_in(HANDOFF_REASONS)})),
    intent       TEXT,
    text         TEXT,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unrecognised (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id      TEXT,
    text           TEXT,
    intent         TEXT,
    confidence     REAL,
    top_intent     TEXT,
    top_confidence REAL,
    created_at     TEXT NOT NULL
);
"""


SCHEMA_STATEMENTS = [statement.strip() for statement in SCHEMA.split(";") if statement.strip()]

# Database files this process has already prepared (path and inode: a deleted and
# re-created file is prepared again).
_READY: set = set()


def _ready_key(path: Path):
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_dev, stat.st_ino)


def clip(text: Any) -> Text:
    """Customer text as stored: a string, at most MAX_TEXT characters."""
    text = "" if text is None else str(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


class OrderStore:
    """Repository over the SQLite order database."""

    def __init__(self, path: Optional[Path] = None, seed_time: Optional[datetime] = None):
        self.path = Path(path or os.environ.get("SHOP_DB") or DEFAULT_DB)
        # The moment the relative dates of shop/orders.yml count back from (now if None).
        self.seed_time = seed_time

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self._ensure_database()
        with closing(sqlite3.connect(str(self.path), timeout=10)) as conn:
            conn.row_factory = sqlite3.Row
            with conn:  # commits, or rolls back on error
                yield conn

    def _ensure_database(self) -> None:
        """Creates the tables and seeds the demo orders unless the database has orders.

        A database that already has an `orders` table is never seeded again, even if
        its orders were deleted. A missing file, an empty file (another tool opened the
        path first) or a database of other tables gets the schema and the demo orders;
        their existing tables are left as they are.
        """
        if _ready_key(self.path) in _READY:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(str(self.path), timeout=10, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")  # one process at a time decides to seed
            try:
                has_orders = conn.execute("SELECT 1 FROM sqlite_master "
                                          "WHERE type = 'table' AND name = 'orders'").fetchone()
                for statement in SCHEMA_STATEMENTS:
                    conn.execute(statement)
                count = None if has_orders else seed_orders(
                    conn, shop_data.order_fixture(), self.seed_time or timeutil.now())
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        _READY.add(_ready_key(self.path))
        if count is not None:
            logger.info("已创建订单数据库 %s（%d 个演示订单）", self.path, count)

    def _rows(self, sql: Text, params: tuple = ()) -> List[Dict[Text, Any]]:
        with self._connect() as conn:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]

    def get_order(self, order_id: Any) -> Optional[Dict[Text, Any]]:
        if order_id is None:
            return None
        return next(iter(self._rows("SELECT * FROM orders WHERE order_id = ?", (str(order_id),))), None)

    def orders(self) -> List[Dict[Text, Any]]:
        """Every order, newest first (the test window's order picker)."""
        return self._rows("SELECT * FROM orders ORDER BY created_at DESC, order_id")

    def tracking_events(self, order_id: Text) -> List[Dict[Text, Any]]:
        """Tracking history, oldest first."""
        return self._rows("SELECT happened_at, description FROM tracking_events "
                          "WHERE order_id = ? ORDER BY happened_at, id", (str(order_id),))

    def refunds_for(self, order_id: Text) -> List[Dict[Text, Any]]:
        """After-sales applications of an order, newest first."""
        return self._rows("SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at DESC, id DESC",
                          (str(order_id),))

    def open_ticket_for(self, order_id: Text, kind: Text) -> Optional[Dict[Text, Any]]:
        """The open ticket of this kind for the order, if one was already opened."""
        return next(iter(self._rows("SELECT * FROM tickets WHERE order_id = ? AND kind = ? "
                                    "AND status = 'open' ORDER BY id DESC LIMIT 1",
                                    (str(order_id), kind))), None)

    def tickets_for(self, order_id: Text) -> List[Dict[Text, Any]]:
        return self._rows("SELECT * FROM tickets WHERE order_id = ? ORDER BY id", (str(order_id),))

    def open_ticket(self, kind: Text, order_id: Optional[Text], sender_id: Optional[Text], text: Any,
                    now: Optional[datetime] = None) -> Dict[Text, Any]:
        """Opens an after-sales ticket and returns it with its number (SH + date + id)."""
        if kind not in TICKET_KINDS:
            raise ValueError(f"unknown ticket kind {kind!r}")
        moment = now or timeutil.now()
        with self._connect() as conn:
            ticket_id = conn.execute(
                "INSERT INTO tickets (kind, order_id, sender_id, text, status, created_at) "
                "VALUES (?, ?, ?, ?, 'open', ?)",
                (kind, order_id, sender_id, clip(text), timeutil.to_db(moment)),
            ).lastrowid
            ticket_no = f"SH{moment:%Y%m%d}{ticket_id:04d}"
            conn.execute("UPDATE tickets SET ticket_no = ? WHERE id = ?", (ticket_no, ticket_id))
            return dict(conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone())

    def _insert(self, sql: Text, params: tuple) -> None:
        with self._connect() as conn:
            conn.execute(sql, params)

    def record_urge(self, order_id: Text, sender_id: Optional[Text],
                    now: Optional[datetime] = None) -> None:
        self._insert("INSERT INTO urges (order_id, sender_id, created_at) VALUES (?, ?, ?)",
                     (str(order_id), sender_id, timeutil.to_db(now or timeutil.now())))

    def record_handoff(self, sender_id: Optional[Text], reason: Text, intent: Optional[Text],
                       text: Any, now: Optional[datetime] = None) -> None:
        if reason not in HANDOFF_REASONS:
            raise ValueError(f"unknown hand-off reason {reason!r}")
        self._insert("INSERT INTO handoffs (sender_id, reason, intent, text, created_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (sender_id, reason, intent, clip(text), timeutil.to_db(now or timeutil.now())))

    def record_unrecognised(self, sender_id: Optional[Text], text: Any, intent: Optional[Text],
                            confidence: Optional[float], top_intent: Optional[Text] = None,
                            top_confidence: Optional[float] = None, now: Optional[datetime] = None) -> None:
        self._insert("INSERT INTO unrecognised (sender_id, text, intent, confidence, top_intent, "
                     "top_confidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (sender_id, clip(text), intent, confidence, top_intent, top_confidence,
                      timeutil.to_db(now or timeutil.now())))


def _moment(item: Dict[Text, Any], field: Text, now: datetime) -> Optional[datetime]:
    """`<field>_days_ago` / `<field>_hours_ago` of the fixture as an absolute time.

    With an empty field the keys are plain `days_ago` / `hours_ago` (tracking events).
    """
    prefix = f"{field}_" if field else ""
    days = item.get(f"{prefix}days_ago")
    hours = item.get(f"{prefix}hours_ago")
    if days is None and hours is None:
        return None
    return now - timedelta(days=float(days or 0), hours=float(hours or 0))


def _problem(order: Dict[Text, Any]) -> Optional[Text]:
    if not ORDER_ID_PATTERN.match(str(order.get("order_id", ""))):
        return "订单号必须是以 42 开头的 19 位数字（写成带引号的字符串）"
    if order.get("status") not in ORDER_STATUSES:
        return f"status 只能是 {', '.join(ORDER_STATUSES)}"
    if not order.get("product"):
        return "缺少 product（商品编号）"
    return None


def seed_orders(conn: sqlite3.Connection, fixture: List[Dict[Text, Any]], now: datetime) -> int:
    """Inserts the fixture's orders; relative dates count back from `now`."""
    count = 0
    for order in fixture:
        problem = _problem(order)
        if not problem:
            conn.execute("SAVEPOINT seed_order")
            try:
                _insert_order(conn, order, now)
                count += 1
            except (TypeError, ValueError, sqlite3.Error) as exc:
                conn.execute("ROLLBACK TO seed_order")
                problem = exc
            finally:
                conn.execute("RELEASE seed_order")
        if problem:
            logger.warning("shop/orders.yml 里的订单 %s 被跳过：%s", order.get("order_id"), problem)
    return count


def _insert_order(conn: sqlite3.Connection, order: Dict[Text, Any], now: datetime) -> None:
    created = _moment(order, "created", now) or _moment(order, "paid", now) or now
    conn.execute(
        "INSERT INTO orders (order_id, buyer, product_id, color, size, quantity, "
        "amount, status, created_at, paid_at, shipped_at, delivered_at, completed_at, "
        "closed_at, address, courier, tracking_no) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(order["order_id"]), str(order.get("buyer") or ""), str(order["product"]),
            order.get("color"), None if order.get("size") is None else str(order["size"]),
            int(order.get("quantity") or 1), float(order.get("amount") or 0),
            order["status"], timeutil.to_db(created),
            *(timeutil.to_db(_moment(order, stamp, now))
              for stamp in ("paid", "shipped", "delivered", "completed", "closed")),
            order.get("address"), order.get("courier"),
            None if order.get("tracking_no") is None else str(order["tracking_no"]),
        ),
    )
    for event in order.get("tracking") or []:
        conn.execute(
            "INSERT INTO tracking_events (order_id, happened_at, description) VALUES (?, ?, ?)",
            (str(order["order_id"]), timeutil.to_db(_moment(event, "", now) or now),
             str(event.get("text") or "")),
        )
    for refund in order.get("refunds") or []:
        created_at = _moment(refund, "created", now) or now
        conn.execute(
            "INSERT INTO refunds (order_id, kind, status, amount, reason, created_at, "
            "updated_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(order["order_id"]), refund.get("kind"), refund.get("status"),
                float(refund.get("amount") or order.get("amount") or 0),
                refund.get("reason"), timeutil.to_db(created_at),
                timeutil.to_db(_moment(refund, "updated", now) or created_at),
                timeutil.to_db(_moment(refund, "completed", now)),
            ),
        )
