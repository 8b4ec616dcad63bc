"""The actions, domain.yml and shop/catalog.yml agree, and the wording rules hold."""
import re

import pytest

from actions import shop_data
from tests.conftest import PROJECT, wording_problems

ACTIONS_DIR = PROJECT / "actions"
OWN_SECTION = "# ==================== 动作使用的回复 ===================="


def responses_named_in_code():
    names = set()
    for path in ACTIONS_DIR.glob("*.py"):
        names |= set(re.findall(r"\"(utter_[a-z_]+)\"", path.read_text("utf-8")))
    return names


def test_every_response_the_actions_use_is_in_the_domain(domain):
    missing = sorted(responses_named_in_code() - set(domain["responses"]))
    assert not missing, f"responses missing from domain.yml: {missing}"


def test_action_server_registers_exactly_the_domain_actions(domain):
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])


def test_added_responses_follow_the_wording_rules(answer_rules):
    text = (PROJECT / "domain.yml").read_text("utf-8")
    assert text.count(OWN_SECTION) == 1
    own = text.split(OWN_SECTION, 1)[1]
    quoted = re.findall(r'text: "(.*)"', own)
    assert len(quoted) >= 60
    for line in quoted:
        assert not wording_problems(answer_rules, line), line
        assert "亲" in line or "抱歉" in line or "您" in line, line


def test_order_status_drives_a_conditional_response(domain, nlg):
    texts = {}
    for status in ("unpaid", "paid", "shipped", "delivered", "completed", "closed", None):
        rendered = nlg.generate_from_slots(
            "utter_order_status", {"order_status": status}, "collector",
            order_id="4201230001234567890", product_name="T恤", status_label="状态",
            ship_within_hours="48", hours_left="5", courier="中通快递", tracking_no="1",
            tracking_events="已揽件", delivery_days="2-4", delivered_at="6月1日 10:00",
            last_event="已签收")
        texts[status] = rendered["text"]
    assert len(set(texts.values())) == 7
    assert "还没有付款" in texts["unpaid"] and "已揽件" in texts["shipped"]
    assert texts[None].endswith("当前状态：状态～")
    slot = domain["slots"]["order_status"]
    assert slot["type"] == "text" and slot["mappings"] == [{"type": "custom"}]


# ---------------------------------------------------------------- catalog

EXPECTED = {
    "P01": ("纯棉短袖T恤", ["T恤", "短袖", "白T"]),
    "P02": ("连帽加绒卫衣", ["卫衣", "连帽卫衣"]),
    "P03": ("高腰直筒牛仔裤", ["牛仔裤", "直筒裤"]),
    "P04": ("轻薄白鸭绒羽绒服", ["羽绒服"]),
    "P05": ("法式碎花连衣裙", ["连衣裙", "碎花裙"]),
    "P06": ("透气网面跑步鞋", ["跑步鞋", "跑鞋", "运动鞋"]),
    "P07": ("经典低帮帆布鞋", ["帆布鞋", "小白鞋"]),
    "P08": ("玻尿酸保湿面霜", ["面霜", "保湿霜"]),
    "P09": ("烟酰胺亮肤精华液", ["精华", "精华液"]),
    "P10": ("氨基酸洁面乳", ["洗面奶", "洁面乳"]),
    "P11": ("降噪蓝牙耳机", ["耳机", "蓝牙耳机"]),
    "P12": ("20000毫安充电宝", ["充电宝", "移动电源"]),
}


@pytest.fixture(scope="module")
def catalog():
    return {p["id"]: p for p in shop_data.products()}


def test_catalog_has_the_twelve_products(catalog):
    assert {pid: (p["name"], p["aliases"]) for pid, p in catalog.items()} == EXPECTED


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_catalog_product_is_complete(catalog, pid, answer_rules):
    p = catalog[pid]
    for key in ("kind", "price", "colors", "stock", "material", "care", "quality", "description"):
        assert p.get(key) not in (None, "", []), (pid, key)
    assert set(p["stock"]) == set(p["colors"])
    assert p["kind"] in ("clothing", "shoes", "skincare", "electronics")
    if p["kind"] == "clothing":
        assert p["sizes"] == ["S", "M", "L", "XL", "XXL"]
        assert [r["size"] for r in p["size_chart"]] == p["sizes"]
        assert all(len(r["height"]) == 2 and len(r["weight"]) == 2 for r in p["size_chart"])
    elif p["kind"] == "shoes":
        assert p["sizes"] == list(range(35, 45))
        assert [r["size"] for r in p["size_chart"]] == p["sizes"]
    else:
        assert "sizes" not in p and p.get("spec")
    assert p["return_excluded"] is (p["kind"] == "skincare")
    if p["return_excluded"]:
        assert p["return_note"]
    texts = [str(v) for k, v in p.items() if isinstance(v, str)] + p["colors"]
    assert not [f for t in texts for f in wording_problems(answer_rules, t)], pid


def test_some_colours_are_sold_out(catalog):
    assert any(0 in p["stock"].values() for p in catalog.values())
