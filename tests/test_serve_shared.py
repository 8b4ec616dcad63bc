"""A class on one bot, Rasa's way: two `dxm serve` processes share real PostgreSQL
(SQLTrackerStore) and Redis (RedisLockStore) servers started from the Debian packages."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import require_program
from servers import LocalPostgres, LocalRedis, Served, interleaved, user_texts

QUESTIONS = ["在吗", "满多少包邮", "发什么快递", "几天发货", "可以开发票吗", "有优惠券吗",
             "能便宜点吗", "是正品吗"]


@pytest.fixture(scope="module")
def shared_pair(trained_project):
    require_program("initdb", package="postgresql")
    require_program("redis-server", package="redis-server")
    postgres, redis = LocalPostgres(), LocalRedis()
    servers = []
    try:
        stores = ("--tracker-store", postgres.url, "--lock-store", redis.url)
        servers = [Served(trained_project, *stores), Served(trained_project, *stores)]
        yield postgres, servers
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        postgres.stop()


def test_alternating_processes_keep_one_conversation_in_order(shared_pair):
    postgres, (first, second) = shared_pair
    for number, text in enumerate(QUESTIONS):
        server = (first, second)[number % 2]
        status, replies = server.post("/webhooks/rest/webhook", {"sender": "class-1", "message": text})
        assert status == 200 and replies and replies[0]["text"]
    events = postgres.events("class-1")
    assert user_texts(events) == QUESTIONS
    assert not interleaved(events)


def test_simultaneous_messages_wait_for_the_lock_instead_of_interleaving(shared_pair):
    postgres, servers = shared_pair
    assert servers[1].post("/chat/session", {"sender": "同学甲"})[0] == 200

    def send(number: int):
        return servers[number % 2].post("/chat/message", {"sender": "同学甲", "text": QUESTIONS[number]})

    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        results = list(pool.map(send, range(len(QUESTIONS))))
    assert all(status == 200 and turn["replies"] for status, turn in results)
    events = postgres.events("web-同学甲")
    assert sorted(user_texts(events)) == sorted(QUESTIONS)  # nothing lost or doubled
    assert not interleaved(events)


def test_diagnose_reads_the_conversations_the_class_shared(shared_pair, trained_project, tmp_path):
    """The real CLI reads PostgreSQL as serve wrote it; a wrong address is one Chinese line."""
    import json
    import subprocess
    import sys

    postgres, (first, _) = shared_pair
    for sender, text in (("diagnosed-1", "在吗"), ("diagnosed-1", "qwpeoiru zxmcnv 我的"),
                         ("diagnosed-2", "满多少包邮")):
        assert first.post("/webhooks/rest/webhook", {"sender": sender, "message": text})[0] == 200
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "bot", "diagnose", "--project", str(trained_project.root)]
    done = subprocess.run([*command, "--tracker-store", postgres.url, "--json", str(report)],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text("utf-8"))
    assert data["database"].startswith("postgresql://") and data["totals"]["messages"] >= 3
    assert data["totals"]["conversations"] >= 2  # this test's two senders, whatever ran before

    wrong = postgres.url.rsplit(":", 1)[0] + ":1/postgres"
    failed = subprocess.run([*command, "--tracker-store", wrong], capture_output=True, text=True,
                            encoding="utf-8", timeout=300)
    assert failed.returncode != 0 and "读不了对话记录库" in failed.stderr + failed.stdout
    assert "Traceback" not in failed.stderr
