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
