"""The grading worker runs the reference actions in its own process (ActionsInProcess):
the same conversations must get the same answers as through the real action server."""
import asyncio
import re
import shutil
import uuid

import pytest
from rasa.utils.endpoints import ClientResponseError

from bot.action_server import ActionServer, ActionsInProcess
from bot.project import Project
from bot.runtime import BotRuntime

# Each one runs a custom action of the reference (orders, products, the size form,
# after-sales tickets, hand-off) and the replies the actions write.
CONVERSATIONS = [
    ["我要退货 订单号4201230001234567890", "好的"],
    ["快递到哪了", "4201230001234500042"],
    ["收到的耳机是坏的", "订单号4201230001234567890"],
    ["我165 100斤穿什么码"],
    ["牛仔裤多少钱", "有什么颜色"],
    ["想换个尺码", "4201230001234500066"],
    ["我要投诉你们"],
]


def _copy(trained_project, target):
    target.mkdir()
    for name in ("config.yml", "domain.yml", "endpoints.yml"):
        shutil.copy(trained_project.root / name, target / name)
    for folder in ("data", "shop"):
        shutil.copytree(trained_project.root / folder, target / folder)
    return Project.at(target)


def _turns(trained_project, actions, project):
    """Every turn of CONVERSATIONS, with clock times masked (replies derive dates from now)."""
    loop = asyncio.new_event_loop()
    try:
        runtime = BotRuntime(trained_project.model_path(), actions.url, project.var / "conversations.db",
                             actions.endpoint())
        loop.run_until_complete(runtime.load())
        turns = []
        for texts in CONVERSATIONS:
            sender = f"same-{uuid.uuid4().hex[:8]}"
            loop.run_until_complete(runtime.start_session(sender))
            for text in texts:
                turn = loop.run_until_complete(runtime.send(sender, text))
                turns.append((turn.intent, turn.actions, [re.sub(r"\d{1,2}:\d{2}", "HH:MM", r) for r in turn.replies],
                              turn.slots))
        return turns
    finally:
        loop.close()


def _not_found(actions):
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ClientResponseError) as raised:
            loop.run_until_complete(actions.endpoint().request(json={"next_action": "no_such_action"},
                                                               method="post"))
        return raised.value.status
    finally:
        loop.close()


def test_actions_in_process_answer_as_the_action_server_does(trained_project, tmp_path, monkeypatch):
    over_http, in_process = (_copy(trained_project, tmp_path / name) for name in ("http", "in-process"))
    with ActionServer(over_http) as server:
        expected = _turns(trained_project, server, over_http)
        assert _not_found(server) == 404
    # The executor reads the project from this process's environment: put it back afterwards.
    monkeypatch.setenv("SHOP_DIR", str(in_process.shop))
    monkeypatch.setenv("SHOP_DB", str(in_process.shop_db))
    actions = ActionsInProcess(in_process).start()
    assert _turns(trained_project, actions, in_process) == expected
    assert _not_found(actions) == 404
    # Both answered from their own order database.
    assert over_http.shop_db.exists() and in_process.shop_db.exists()
    called = {name for _, names, _, _ in expected for name in names}
    assert {"action_order_followup", "action_product_answer", "action_handoff"} <= called, called
