"""The SQLite order store: seeding from shop/orders.yml, never overwriting, safe SQL."""
import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest
import yaml

from actions import shop_data, store, timeutil
from actions.store import OrderStore
from tests.conftest import PROJECT, rows

FIXTURE = yaml.safe_load((PROJECT / "shop" / "orders.yml").read_text("utf-8"))["orders"]


def test_nothing_connects_at_import_or_construction(shop_db):
    code = ("import actions.followup, actions.inform, actions.service, actions.session, "
            "actions.product_actions, actions.store; actions.store.OrderStore()")
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT, check=True)
    assert not shop_db.exists()


def test_first_use_creates_schema_and_seeds_every_fixture_order(shop_db):
    assert OrderStore().get_order("4201230001234567890")["status"] == "delivered"
    tables = {r["name"] for r in rows(shop_db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"orders", "tracking_events", "refunds", "tickets", "handoffs", "unrecognised",
            "urges"} <= tables
    assert len(rows(shop_db, "SELECT * FROM orders")) == len(FIXTURE) == 14


def test_fixture_covers_every_state():
    statuses = [o["status"] for o in FIXTURE]
    assert set(statuses) == set(store.ORDER_STATUSES)
    assert statuses.count("paid") >= 2 and statuses.count("delivered") >= 3
    refund_states = {r["status"] for o in FIXTURE for r in o.get("refunds", [])}
    assert refund_states >= {"completed", "returning", "pending"}
    catalog = {p["id"] for p in shop_data.products()}
    for o in FIXTURE:
        assert store.ORDER_ID_PATTERN.match(o["order_id"]), o["order_id"]
        assert o["product"] in catalog
        for key in ("buyer", "color", "quantity", "amount", "address", "courier", "tracking_no"):
            assert key in o, (o["order_id"], key)
        if o["status"] == "shipped":
            assert 3 <= len(o["tracking"]) <= 5


def test_relative_dates_become_absolute_when_seeded(shop_db):
    seeded_at = timeutil.now()
    s = OrderStore(seed_time=seeded_at)
    paid_recently = s.get_order("4201230001234500028")
    assert timeutil.from_db(paid_recently["paid_at"]) == seeded_at - timedelta(hours=2)
    overdue = s.get_order("4201230001234500035")
    assert timeutil.from_db(overdue["paid_at"]) == seeded_at - timedelta(hours=60)
    returnable = s.get_order("4201230001234567890")
    assert timeutil.from_db(returnable["delivered_at"]) == seeded_at - timedelta(days=2)
    events = s.tracking_events("4201230001234567890")
    assert len(events) == 5 and "签收" in events[-1]["description"]
    assert [e["happened_at"] for e in events] == sorted(e["happened_at"] for e in events)


def test_existing_database_is_never_overwritten(shop_db):
    first = OrderStore()
    first.open_ticket("damaged", "4201230001234567890", "u1", "破了")
    conn = sqlite3.connect(str(shop_db))
    with conn:
        conn.execute("UPDATE orders SET status = 'completed' WHERE order_id = ?",
                     ("4201230001234567890",))
        conn.execute("DELETE FROM orders WHERE order_id = ?", ("4201230001234500011",))
    conn.close()
    again = OrderStore()
    assert again.get_order("4201230001234567890")["status"] == "completed"
    assert again.get_order("4201230001234500011") is None
    assert len(again.tickets_for("4201230001234567890")) == 1


def test_file_without_orders_table_is_seeded_and_its_tables_kept(shop_db):
    conn = sqlite3.connect(str(shop_db))
    with conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.close()
    assert OrderStore().get_order("4201230001234567890") is not None
    assert rows(shop_db, "SELECT text FROM notes") == [{"text": "keep me"}]


def test_empty_file_opened_by_another_tool_is_seeded(shop_db):
    shop_db.touch()  # e.g. a report opened the path before the bot ran
    assert len(rows(shop_db, "SELECT name FROM sqlite_master")) == 0
    assert OrderStore().get_order("4201230001234567890") is not None


def test_emptied_order_database_is_not_seeded_again(shop_db):
    OrderStore().get_order("x")
    conn = sqlite3.connect(str(shop_db))
    with conn:
        conn.execute("DELETE FROM orders")
    conn.close()
    assert OrderStore().get_order("4201230001234567890") is None


def test_deleted_database_is_created_again(shop_db):
    OrderStore().open_ticket("fake", "4201230001234567890", "u1", "")
    shop_db.unlink()
    s = OrderStore()
    assert s.get_order("4201230001234567890") is not None
    assert s.tickets_for("4201230001234567890") == []


def test_refunds_and_tickets(shop_db):
    s = OrderStore()
    assert [r["status"] for r in s.refunds_for("4201230001234500103")] == ["returning"]
    assert s.refunds_for("4201230001234567890") == []
    ticket = s.open_ticket("not_received", "4201230001234567890", "u1", "没收到")
    assert ticket["ticket_no"] == f"SH{timeutil.now():%Y%m%d}{ticket['id']:04d}"
    assert s.open_ticket_for("4201230001234567890", "not_received")["id"] == ticket["id"]
    assert s.open_ticket_for("4201230001234567890", "damaged") is None
    with pytest.raises(ValueError):
        s.open_ticket("lost_cat", "4201230001234567890", "u1", "")
    with pytest.raises(ValueError):
        s.record_handoff("u1", "boredom", "greet", "")


def test_sql_looking_input_is_only_data(shop_db):
    s = OrderStore()
    attack = "'); DROP TABLE orders; --"
    assert s.get_order("' OR '1'='1") is None
    assert s.get_order(attack) is None
    s.record_handoff(attack, "complaint", "complain", attack)
    s.record_unrecognised(attack, attack, "nlu_fallback", 0.3)
    s.open_ticket("fake", attack, attack, attack)
    assert len(rows(shop_db, "SELECT * FROM orders")) == 14
    assert rows(shop_db, "SELECT text FROM handoffs") == [{"text": attack}]
    assert rows(shop_db, "SELECT order_id FROM tickets") == [{"order_id": attack}]


def test_long_text_is_clipped_and_none_becomes_empty(shop_db):
    s = OrderStore()
    s.record_unrecognised("u1", "长" * 5000, None, None)
    s.record_unrecognised("u1", None, None, None)
    texts = [r["text"] for r in rows(shop_db, "SELECT text FROM unrecognised ORDER BY id")]
    assert len(texts[0]) == store.MAX_TEXT and texts[0].endswith("…")
    assert texts[1] == ""


def test_bad_fixture_orders_are_skipped_and_shop_dir_falls_back(tmp_path, monkeypatch):
    shop = tmp_path / "student_shop"
    shop.mkdir()
    good = dict(FIXTURE[0])
    (shop / "orders.yml").write_text(yaml.safe_dump({"orders": [
        good,
        {**good},  # duplicate id
        {**good, "order_id": "123"},
        {**good, "order_id": "4201230009999999999", "status": "lost"},
        {**good, "order_id": "4201230009999999998", "amount": "很多"},
        {**good, "order_id": "4201230009999999997", "tracking": [{"days_ago": "x", "text": "?"}]},
    ]}, allow_unicode=True), "utf-8")
    monkeypatch.setenv("SHOP_DIR", str(shop))
    s = OrderStore(tmp_path / "student.db")
    assert s.get_order(good["order_id"]) is not None
    seeded = [r["order_id"] for r in rows(s.path, "SELECT order_id FROM orders")]
    assert seeded == [good["order_id"]]
    assert rows(s.path, "SELECT * FROM tracking_events") == []
    # catalog.yml is missing in the student's folder: this project's catalog is used
    assert shop_data.product_by_id("P03")["name"] == "高腰直筒牛仔裤"
