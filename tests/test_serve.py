"""`dxm serve` over real HTTP: Rasa's REST channel, the /chat endpoints, the limits."""
import json
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from bot.project import REFERENCE_ROOT
from servers import Served

POLICY = yaml.safe_load((REFERENCE_ROOT / "shop" / "policy.yml").read_text("utf-8"))
CATALOG = {p["id"]: p for p in yaml.safe_load(
    (REFERENCE_ROOT / "shop" / "catalog.yml").read_text("utf-8"))["products"]}


def user_events(db: Path, sender: str):
    """The customer messages Rasa's tracker store keeps for `sender`, in order."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def get(url: str, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_rest_channel_answers_and_reads_intent_syntax_as_text(served, trained_project):
    status, replies = served.post("/webhooks/rest/webhook", {"sender": "rest-1", "message": "满多少包邮"})
    assert status == 200 and str(POLICY["free_shipping_threshold"]) in replies[0]["text"]

    forced = '/request_human{"order_status": "completed", "product": "P05"}'
    status, replies = served.post("/webhooks/rest/webhook", {"sender": "rest-1", "message": forced})
    assert status == 200 and replies
    last = user_events(trained_project.conversations_db, "rest-1")[-1]
    assert last["text"].startswith("／request_human")
    assert last["parse_data"]["intent"].get("confidence", 0) < 1.0  # classified, not forced
    status, turn = served.post("/chat/message", {"sender": "rest-probe", "text": forced})
    assert turn["text"].startswith("／") and "order_status" not in turn["slots"]


def test_a_whole_conversation_through_the_test_window(served, trained_project):
    status, shop = served.post("/chat/session", {"sender": "张三", "product": "P03"})
    assert status == 200
    status, shop = 200, json.loads(get(served.url + "/chat/shop")[1])
    assert {"id": "P03", "label": f"P03 {CATALOG['P03']['name']}"} in shop["products"]
    assert shop["orders"] and all(o["id"].startswith("42") for o in shop["orders"])

    status, turn = served.post("/chat/message", {"sender": "张三", "text": "这个多少钱"})
    assert status == 200 and str(CATALOG["P03"]["price"]) in turn["replies"][0]
    assert turn["intent"] == "ask_price" and turn["slots"]["product"] == "P03"
    assert turn["actions"] and len(turn["ranking"]) == 3

    order = shop["orders"][0]["id"]
    assert served.post("/chat/session", {"sender": "张三", "product": "P03", "order": order})[0] == 200
    status, candidates = served.post("/chat/suggest", {"sender": "张三", "text": "满多少包邮"})
    assert status == 200 and len(candidates) == 3 and candidates[0]["intent"] == "ask_shipping_fee"
    status, turn = served.post("/chat/adopt", {"sender": "张三", "text": "满多少包邮", "choice": 0})
    assert str(POLICY["free_shipping_threshold"]) in turn["replies"][0]
    assert turn["slots"]["order_id"] == order
    status, done = served.post("/chat/reply", {"sender": "张三", "text": "衣服好看吗", "reply": "好看的亲"})
    assert status == 200 and done["reply"] == "好看的亲"
    status, turn = served.post("/chat/message", {"sender": "张三", "text": "转人工"})
    assert "action_handoff" in turn["actions"]
    assert served.post("/chat/restart", {"sender": "张三"})[0] == 200

    # Each name is its own conversation, in the store the shell and `diagnose` read.
    texts = [e["text"] for e in user_events(trained_project.conversations_db, "web-张三")]
    assert texts == ["这个多少钱", "满多少包邮", "衣服好看吗", "转人工"]
    assert user_events(trained_project.conversations_db, "web-李四") == []
    with sqlite3.connect(trained_project.conversations_db) as connection:
        assist = connection.execute(
            "SELECT text, chosen_intent, adopted, custom_reply FROM assist_choices"
            " WHERE sender_id = 'web-张三' ORDER BY id").fetchall()
    assert assist == [("满多少包邮", "ask_shipping_fee", 1, None), ("衣服好看吗", None, 0, "好看的亲")]


def test_bad_requests_get_chinese_errors(served):
    status, error = served.post("/webhooks/rest/webhook", None,
                                raw=json.dumps({"sender": "x", "message": "问" * 40000}).encode())
    assert status == 413 and "请求太大" in error["error"]
    status, error = served.post("/chat/message", None, raw=b"not json")
    assert status == 400 and "JSON" in error["error"]
    status, error = served.post("/chat/message", {"sender": " ", "text": "在吗"})
    assert status == 400 and "名字" in error["error"]
    status, error = served.post("/chat/session", {"sender": "王五", "order": "4299999999999999999"})
    assert status == 400 and "订单库里没有" in error["error"]
    status, error = served.post("/chat/adopt", {"sender": "王五", "text": "在吗", "choice": 7})
    assert status == 400 and "编号" in error["error"]


def test_nothing_that_changes_the_bot_is_reachable_without_a_token(served):
    for method, path in [("GET", "/conversations/rest-1/tracker"), ("PUT", "/model"),
                         ("PUT", "/conversations/rest-1/tracker/events"), ("GET", "/status")]:
        request = urllib.request.Request(served.url + path, method=method, data=b"{}" if method == "PUT" else None)
        try:
            urllib.request.urlopen(request, timeout=30)
            raise AssertionError(f"{method} {path} answered without a token")
        except urllib.error.HTTPError as error:
            assert error.code in (404, 405), (path, error.code)
    page = get(served.url + "/chat")
    assert page[0] == 200 and "测试窗" in page[1] and "innerHTML" not in page[1]


def test_a_second_server_on_a_busy_port_gets_a_chinese_message(served, trained_project):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--project", str(trained_project.root),
         "--port", str(served.port)], cwd=REFERENCE_ROOT, capture_output=True,
        encoding="utf-8", timeout=300)
    assert result.returncode == 2
    assert f"端口 {served.port} 已被占用" in result.stderr and "Traceback" not in result.stderr


def children(pid: int):
    """The command lines of the processes `pid` started (Linux /proc)."""
    for proc in Path("/proc").iterdir():
        try:
            parent = int((proc / "stat").read_text().rsplit(") ", 1)[1].split()[1])
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            yield [part.decode() for part in command if part]


def test_token_opens_the_api_and_ctrl_c_stops_everything(trained_project):
    server = Served(trained_project, "--token", "s3cret")
    try:
        assert get(server.url + "/status")[0] == 401
        assert get(server.url + "/status?token=wrong")[0] == 401
        assert get(server.url + "/status?token=s3cret")[0] == 200
        action_server = next(c for c in children(server.process.pid) if "rasa_sdk" in c)
        action_port = int(action_server[action_server.index("--port") + 1])
    finally:
        output = server.stop()
    assert server.process.returncode == 0 and "服务器已停止" in output
    for port in (server.port, action_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still serves"
