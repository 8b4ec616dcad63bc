"""The after-sales scenarios of bank/scenarios and how they choose their orders."""
import pytest

from bot.grading.scenarios import (DEFAULT_SCENARIOS, ScenarioError, choose_order, load_scenarios,
                                   order_matches, orders_file, read_orders, resolve)
from bot.project import REFERENCE_ROOT

ORDERS = read_orders(REFERENCE_ROOT / "shop" / "orders.yml")


def test_the_reference_scenarios_cover_every_after_sales_category():
    scenarios = load_scenarios(DEFAULT_SCENARIOS)
    assert len(scenarios) >= 12
    assert {s.category for s in scenarios} == {"return", "logistics", "quality"}
    assert len({s.key for s in scenarios}) == len(scenarios)


@pytest.mark.parametrize("scenario", load_scenarios(DEFAULT_SCENARIOS), ids=lambda s: s.key)
def test_every_scenario_finds_its_order_in_the_fixture(scenario):
    texts, order_id, error = resolve(scenario, ORDERS)
    assert error is None
    assert len(texts) == len(scenario.steps)
    assert all("{order}" not in t for t in texts)
    if scenario.order and "order_id" not in scenario.order:
        wanted = next(o for o in ORDERS if o["order_id"] == order_id)
        assert order_matches(wanted, scenario.order)


@pytest.mark.parametrize("selector, expected", [
    ({"status": "delivered", "delivered_days_ago": "<7", "product": "P03"}, "4201230001234567890"),
    ({"status": "delivered", "delivered_days_ago": "7-15"}, "4201230001234500066"),
    ({"status": "paid", "paid_hours_ago": ">48"}, "4201230001234500035"),
    ({"refunds": {"kind": "return", "status": "returning"}}, "4201230001234500103"),
    ({"status": "paid", "refunds": "none"}, "4201230001234500028"),
    ({"status": "completed", "delivered_days_ago": ">=15"}, "4201230001234500080"),
    ({"status": "lost"}, None),
])
def test_order_selectors(selector, expected):
    assert choose_order(ORDERS, selector) == expected


def test_a_scenario_without_a_matching_order_says_so(tmp_path):
    (tmp_path / "x.yml").write_text(
        "name: 没有的订单\ncategory: return\norder: {status: lost}\nturns:\n  - say: \"{order}\"\n", "utf-8")
    scenario = load_scenarios(tmp_path)[0]
    texts, order_id, error = resolve(scenario, ORDERS)
    assert (texts, order_id) == ([], None)
    assert "没有符合条件的订单：status=lost" in error


@pytest.mark.parametrize("content, message", [
    ("name: x\ncategory: basic\nturns:\n  - say: 你好\n", "category 应当是"),
    ("name: x\ncategory: return\nturns: []\n", "turns 至少要有一轮对话"),
    ("name: x\ncategory: return\nturns:\n  - expect: {}\n", "第 1 轮：缺少 say"),
    ("name: x\ncategory: return\nturns:\n  - say: 退货\n    expect: {reply_contains: [a]}\n", "不认识的检查项 reply_contains"),
    ("name: x\ncategory: return\nturns:\n  - say: \"{order}\"\n", "没有写 order"),
    ("name: x\ncategory: return\nturns:\n\t- say: 退货\n", "不是正确的 YAML（第 4 行附近）"),
])
def test_mistakes_in_a_scenario_file_name_the_file(tmp_path, content, message):
    (tmp_path / "我的情景.yml").write_text(content, "utf-8")
    with pytest.raises(ScenarioError) as error:
        load_scenarios(tmp_path)
    assert "我的情景.yml" in str(error.value) and message in str(error.value)


def test_a_project_without_orders_uses_the_reference_orders(tmp_path):
    assert orders_file(tmp_path) == REFERENCE_ROOT / "shop" / "orders.yml"
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "orders.yml").write_text("orders: []\n", "utf-8")
    assert orders_file(tmp_path) == tmp_path / "shop" / "orders.yml"
