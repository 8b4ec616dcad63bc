"""action_product_answer, validate_size_form and action_recommend_size."""
import asyncio

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.product_actions import ActionProductAnswer, ActionRecommendSize, ValidateSizeForm
from tests.conftest import PROJECT, make_tracker, user_event


def ask(domain, intent, product=None, slot=None, text="这个怎么样"):
    entities = [("product", product)] if product else []
    return make_tracker(domain, slots={"product": slot}, intent=intent, text=text,
                        entities=entities)


# ---------------------------------------------------------------- product answers


@pytest.mark.parametrize("intent, response, values", [
    ("ask_price", "utter_product_price", {"product_name": "高腰直筒牛仔裤", "price": "159"}),
    ("ask_material", "utter_product_material",
     {"product_name": "高腰直筒牛仔裤", "material": "棉98%，氨纶2%，微弹牛仔布"}),
    ("ask_color", "utter_product_color",
     {"product_name": "高腰直筒牛仔裤", "colors": "浅蓝色、深蓝色、黑色"}),
    ("ask_stock", "utter_product_in_stock",
     {"product_name": "高腰直筒牛仔裤", "colors": "浅蓝色、深蓝色、黑色"}),
])
def test_product_facts_from_the_catalog(run, domain, intent, response, values):
    result = run(ActionProductAnswer(), ask(domain, intent, product="P03"))
    assert result.responses == [response]
    assert result.values() == values
    assert result.events == [SlotSet("product", "P03")]


@pytest.mark.parametrize("intent, response, key", [
    ("ask_usage", "utter_product_usage", "care"),
    ("ask_product_quality", "utter_product_quality", "quality"),
    ("ask_product_info", "utter_product_info", "description"),
])
def test_product_texts(run, domain, intent, response, key):
    result = run(ActionProductAnswer(), ask(domain, intent, slot="P11"))
    assert result.responses == [response]
    assert result.values()["product_name"] == "降噪蓝牙耳机"
    assert result.values()[key]
    assert result.events == [SlotSet("product", "P11")]


def test_size_chart_for_clothing_and_shoes(run, domain):
    shirt = run(ActionProductAnswer(), ask(domain, "ask_size", product="P01"))
    assert shirt.responses == ["utter_product_size"]
    assert shirt.values()["sizes"] == "S、M、L、XL、XXL"
    assert "L码：身高168-175cm，体重58-66kg" in shirt.values()["size_chart"]
    shoes = run(ActionProductAnswer(), ask(domain, "ask_size", product="P06"))
    assert shoes.values()["size_chart"].startswith("35码：脚长22-22.5cm")
    cream = run(ActionProductAnswer(), ask(domain, "ask_size", product="P08"))
    assert cream.responses == ["utter_product_no_size"]
    assert cream.values() == {"product_name": "玻尿酸保湿面霜", "spec": "50g/瓶"}


@pytest.mark.parametrize("product, response, values", [
    ("P01", "utter_product_partly_sold_out",
     {"product_name": "纯棉短袖T恤", "in_stock": "白色、黑色、雾霾蓝", "sold_out": "灰色"}),
    ("P12", "utter_product_sold_out", {"product_name": "20000毫安充电宝"}),
    ("P09", "utter_product_sold_out", {"product_name": "烟酰胺亮肤精华液"}),
])
def test_stock_answers(run, domain, product, response, values):
    result = run(ActionProductAnswer(), ask(domain, "ask_stock", product=product))
    assert (result.responses, result.values()) == ([response], values)


def test_product_in_the_message_wins_over_the_slot(run, domain):
    result = run(ActionProductAnswer(), ask(domain, "ask_price", product="P06", slot="P03"))
    assert result.values()["product_name"] == "透气网面跑步鞋"
    assert result.events == [SlotSet("product", "P06")]


def test_product_entity_may_carry_a_name_instead_of_an_id(run, domain):
    result = run(ActionProductAnswer(), ask(domain, "ask_price", product="小白鞋"))
    assert result.events == [SlotSet("product", "P07")]


@pytest.mark.parametrize("product, slot", [(None, None), ("P99", None), ("'; DROP TABLE", "")])
def test_no_known_product_asks_which_one(run, domain, product, slot):
    result = run(ActionProductAnswer(), ask(domain, "ask_price", product=product, slot=slot))
    assert result.responses == ["utter_ask_which_product"]
    assert result.values() == {"examples": "“纯棉短袖T恤”、“连帽加绒卫衣”、“高腰直筒牛仔裤”、“轻薄白鸭绒羽绒服”"}
    assert result.events == []


def test_missing_catalog_fact_is_said_politely(run, domain, tmp_path, monkeypatch):
    shop = tmp_path / "shop"
    shop.mkdir()
    catalog = yaml.safe_load((PROJECT / "shop" / "catalog.yml").read_text("utf-8"))
    del catalog["products"][0]["material"]
    (shop / "catalog.yml").write_text(yaml.safe_dump(catalog, allow_unicode=True), "utf-8")
    monkeypatch.setenv("SHOP_DIR", str(shop))
    result = run(ActionProductAnswer(), ask(domain, "ask_material", product="P01"))
    assert (result.responses, result.values()) == (
        ["utter_product_fact_missing"], {"product_name": "纯棉短袖T恤"})


# ---------------------------------------------------------------- size form


def validate(domain, slots, new_slots, text="", entities=None, requested=None):
    """Runs validate_size_form like Rasa does: the new values follow the form's execution."""
    events = [user_event("inform", text), {"event": "action", "name": "size_form"}] + [
        {"event": "slot", "name": k, "value": v} for k, v in new_slots.items()]
    tracker = make_tracker(domain, slots={**slots, **new_slots, "requested_slot": requested},
                           intent="inform", text=text, entities=entities, events=events,
                           active_loop="size_form", append_user=False)
    return tracker


def test_size_form_accepts_plausible_measures(run, domain):
    tracker = validate(domain, {"product": "P01"}, {"height": "170", "weight": "60"})
    result = run(ValidateSizeForm(), tracker)
    assert result.events == [SlotSet("height", 170.0), SlotSet("weight", 60.0)]
    assert result.messages == []


@pytest.mark.parametrize("slot, value, response", [
    ("height", "119", "utter_invalid_height"), ("height", "221", "utter_invalid_height"),
    ("height", "高", "utter_invalid_height"), ("weight", "29", "utter_invalid_weight"),
    ("weight", "151", "utter_invalid_weight"),
])
def test_size_form_rejects_implausible_measures(run, domain, slot, value, response):
    result = run(ValidateSizeForm(), validate(domain, {"product": "P01"}, {slot: value}))
    assert result.responses == [response]
    assert result.events == [SlotSet(slot, None)]


@pytest.mark.parametrize("value", ["120", "220"])
def test_height_range_edges_are_accepted(run, domain, value):
    result = run(ValidateSizeForm(), validate(domain, {"product": "P01"}, {"height": value}))
    assert result.events == [SlotSet("height", float(value))]


@pytest.mark.parametrize("product, required", [
    ("P01", ["height", "weight"]),
    ("P06", []),
    ("P08", []),
    (None, ["product", "height", "weight"]),
])
def test_size_form_asks_only_what_the_product_needs(domain, product, required):
    tracker = make_tracker(domain, slots={"product": product})
    got = asyncio.run(ValidateSizeForm().required_slots(
        ["height", "weight"], CollectingDispatcher(), tracker, domain))
    assert got == required


def test_shoes_complete_the_size_form_at_once(run, domain):
    result = run(ValidateSizeForm(), validate(domain, {"product": "P06"}, {}))
    assert result.events == [SlotSet("requested_slot", None)]


def test_without_product_the_form_asks_for_it_first(run, domain):
    result = run(ValidateSizeForm(), validate(domain, {}, {"height": "170"}))
    assert result.events == [SlotSet("height", 170.0), SlotSet("requested_slot", "product")]


def test_product_name_missed_by_the_extractor_is_found_in_the_text(run, domain):
    tracker = validate(domain, {}, {}, text="就是那个连帽卫衣", requested="product")
    result = run(ValidateSizeForm(), tracker)
    assert result.events == [SlotSet("product", "P02"), SlotSet("requested_slot", "height")]
    nothing = run(ValidateSizeForm(), validate(domain, {}, {}, text="嗯", requested="product"))
    assert nothing.events == [SlotSet("requested_slot", "product")]


def test_product_named_in_the_form(run, domain):
    named = run(ValidateSizeForm(), validate(domain, {}, {"product": "卫衣"}, requested="product"))
    assert named.events == [SlotSet("product", "P02"), SlotSet("requested_slot", "height")]
    shoes = run(ValidateSizeForm(), validate(domain, {}, {"product": "P06"}, requested="product"))
    assert shoes.events == [SlotSet("product", "P06"), SlotSet("requested_slot", None)]
    unknown = run(ValidateSizeForm(), validate(domain, {}, {"product": "P77"}, requested="product"))
    assert unknown.messages == []  # the form asks again with utter_ask_product
    assert unknown.events == [SlotSet("product", None), SlotSet("requested_slot", "product")]


# ---------------------------------------------------------------- recommendation


def recommend(run, domain, **slots):
    return run(ActionRecommendSize(), make_tracker(domain, slots=slots))


def test_recommend_clothing_size(run, domain):
    result = recommend(run, domain, product="P01", height=170.0, weight=60.0)
    assert result.responses == ["utter_size_recommend"]
    assert result.values() == {"product_name": "纯棉短袖T恤", "height": "170", "weight": "60",
                               "chart_range": "身高150-190cm，体重40-88kg", "size": "L"}
    assert result.events == []


def test_recommend_between_sizes(run, domain):
    result = recommend(run, domain, product="P03", height=160.0, weight=65.0)
    assert result.responses == ["utter_size_recommend_between"]
    assert {k: result.values()[k] for k in ("size", "size_by_height", "size_by_weight")} == \
        {"size": "XL", "size_by_height": "M", "size_by_weight": "XL"}


def test_measures_outside_the_chart(run, domain):
    result = recommend(run, domain, product="P05", height=185.0, weight=80.0)
    assert result.responses == ["utter_size_out_of_range"]
    assert result.values()["chart_range"] == "身高150-178cm，体重40-75kg"


def test_shoes_use_the_foot_length_else_show_the_chart(run, domain):
    sized = recommend(run, domain, product="P07", foot_length=24.5, height=170.0, weight=60.0)
    assert sized.responses == ["utter_shoe_size_recommend"]
    assert sized.values()["size"] == "40"
    chart = recommend(run, domain, product="P07", height=170.0, weight=60.0)
    assert chart.responses == ["utter_shoe_size_chart"]
    tiny = recommend(run, domain, product="P07", foot_length=15.0)
    assert tiny.responses == ["utter_foot_length_out_of_range"]


def test_no_sizes_and_no_product(run, domain):
    assert recommend(run, domain, product="P12", height=170.0, weight=60.0).responses == \
        ["utter_product_no_size"]
    nothing = recommend(run, domain, height=170.0, weight=60.0)
    assert nothing.responses == ["utter_ask_which_product"] and nothing.events == []


def test_missing_measure_is_asked_for(run, domain):
    assert recommend(run, domain, product="P01", weight=60.0).responses == ["utter_ask_height"]
    assert recommend(run, domain, product="P01", height=170.0).responses == ["utter_ask_weight"]
