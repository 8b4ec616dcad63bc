"""Product questions and size recommendation.

action_product_answer   price, sizes, material, colours, stock, usage, quality, overview
validate_size_form      checks height/weight; asks only what the product needs
action_recommend_size   recommends a size from the product's size chart
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import products, shop_data
from actions.common import ask_which_product, entity_values, first, latest_intent, latest_text

Product = Dict[Text, Any]
Reply = Tuple[Text, Dict[Text, Any]]

HEIGHT_RANGE = (120, 220)  # cm
WEIGHT_RANGE = (30, 150)  # kg
# The measures the size form checks: the plausible range, and the reply to a value outside it.
CHECKED_MEASURES = {"height": (HEIGHT_RANGE, "utter_invalid_height"),
                    "weight": (WEIGHT_RANGE, "utter_invalid_weight")}


def product_in_message(tracker: Tracker) -> Optional[Product]:
    """The first catalog product named in the latest message."""
    return next(filter(None, map(shop_data.find_product, entity_values(tracker, "product"))), None)


def current_product(tracker: Tracker) -> Optional[Product]:
    """The product of the latest message, else the one the conversation is about."""
    return product_in_message(tracker) or shop_data.find_product(first(tracker.get_slot("product")))


def in_range(value: Optional[float], bounds: Tuple[float, float]) -> bool:
    return value is not None and bounds[0] <= value <= bounds[1]


def plausible(measure: Text, value: Any, dispatcher: CollectingDispatcher) -> Optional[float]:
    """A height or weight as a number; None, after saying so, when it is implausible."""
    number = products.to_number(first(value))
    bounds, invalid_response = CHECKED_MEASURES[measure]
    if in_range(number, bounds):
        return number
    dispatcher.utter_message(response=invalid_response)
    return None


def _reply(product: Product, response: Text, **values: Any) -> Reply:
    """`response` about `product`: its name and `values` fill the response's variables."""
    return response, {"product_name": products.name(product), **values}


def _fact(product: Product, key: Text, response: Text) -> Reply:
    value = product.get(key)
    if not value:
        return _reply(product, "utter_product_fact_missing")
    return _reply(product, response, **{key: str(value).rstrip("。")})


def price_reply(product: Product) -> Reply:
    if product.get("price") is None:
        return _reply(product, "utter_product_fact_missing")
    return _reply(product, "utter_product_price", price=products.price_text(product))


def size_chart_reply(product: Product) -> Reply:
    if not products.has_sizes(product):
        return _reply(product, "utter_product_no_size", spec=products.spec_text(product))
    chart = products.size_chart_text(product)
    if not chart:
        return _reply(product, "utter_size_no_chart", sizes=products.sizes_text(product))
    return _reply(product, "utter_product_size", sizes=products.sizes_text(product), size_chart=chart)


def color_reply(product: Product) -> Reply:
    colors = products.colors(product)
    if not colors:
        return _reply(product, "utter_product_fact_missing")
    return _reply(product, "utter_product_color", colors=products.enumerate_text(colors))


def stock_reply(product: Product) -> Reply:
    in_stock, sold_out = products.stock_split(product)
    if not in_stock:
        return _reply(product, "utter_product_sold_out")
    if sold_out:
        return _reply(product, "utter_product_partly_sold_out", in_stock=products.enumerate_text(in_stock),
                      sold_out=products.enumerate_text(sold_out))
    return _reply(product, "utter_product_in_stock", colors=products.enumerate_text(in_stock))


def info_reply(product: Product) -> Reply:
    description = str(product.get("description") or "").strip()
    if not description:
        return price_reply(product)
    if description[-1] not in "。！～":
        description += "。"
    return _reply(product, "utter_product_info", description=description, price=products.price_text(product),
                  colors=products.enumerate_text(products.colors(product)) or "多种款式")


ANSWERS: Dict[Text, Callable[[Product], Reply]] = {
    "ask_price": price_reply,
    "ask_size": size_chart_reply,
    "ask_material": lambda p: _fact(p, "material", "utter_product_material"),
    "ask_color": color_reply,
    "ask_stock": stock_reply,
    "ask_usage": lambda p: _fact(p, "care", "utter_product_usage"),
    "ask_product_quality": lambda p: _fact(p, "quality", "utter_product_quality"),
    "ask_product_info": info_reply,
}


def size_reply(product: Product, height: Optional[float] = None, weight: Optional[float] = None,
               foot_length: Optional[float] = None) -> Reply:
    """The size recommendation reply for the measures known (shared with action_inform)."""
    advice = products.recommend_size(product, height, weight, foot_length)
    if advice.reason in ("no_sizes", "no_chart"):
        return size_chart_reply(product)  # it says the same: no sizes, or sizes without a chart
    if advice.reason == "need_measures":
        return ("utter_ask_height" if height is None else "utter_ask_weight"), {}
    if advice.reason == "need_foot_length":
        return _reply(product, "utter_shoe_size_chart", size_chart=products.size_chart_text(product))
    if product.get("kind") == "shoes":
        values = {"foot_length": products.number_text(foot_length), "chart_range": advice.chart_range}
        if advice.reason == "out_of_range":
            return _reply(product, "utter_foot_length_out_of_range", **values)
        return _reply(product, "utter_shoe_size_recommend", **values, size=advice.size)
    values = {"height": products.number_text(height), "weight": products.number_text(weight),
              "chart_range": advice.chart_range}
    if advice.reason == "out_of_range":
        return _reply(product, "utter_size_out_of_range", **values)
    if advice.reason == "between":
        return _reply(product, "utter_size_recommend_between", **values, size=advice.size,
                      size_by_height=advice.size_by_height, size_by_weight=advice.size_by_weight)
    return _reply(product, "utter_size_recommend", **values, size=advice.size)


def measures(tracker: Tracker) -> Tuple[Optional[float], Optional[float], Optional[float]]:
    """Height (cm), weight (kg) and foot length (cm): the latest message, else the slots.

    Implausible heights and weights count as unknown.
    """
    def value(name: Text) -> Optional[float]:
        candidates = entity_values(tracker, name) + [first(tracker.get_slot(name))]
        return next((n for n in map(products.to_number, candidates) if n is not None), None)

    height, weight = value("height"), value("weight")
    return (height if in_range(height, HEIGHT_RANGE) else None,
            weight if in_range(weight, WEIGHT_RANGE) else None, value("foot_length"))


def reply_about_product(dispatcher: CollectingDispatcher, tracker: Tracker,
                        reply: Callable[[Product], Reply]) -> List[Dict[Text, Any]]:
    """Says `reply` about the current product and sets its slot; with none known, asks which."""
    product = current_product(tracker)
    if product is None:
        ask_which_product(dispatcher)
        return []
    response, values = reply(product)
    dispatcher.utter_message(response=response, **values)
    return [SlotSet("product", product["id"])]


class ActionProductAnswer(Action):
    def name(self) -> Text:
        return "action_product_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        answer = ANSWERS.get(latest_intent(tracker), info_reply)
        return reply_about_product(dispatcher, tracker, answer)


class ValidateSizeForm(FormValidationAction):
    """Checks the measures; the slots the form asks for depend on the product.

    clothing with a size chart: height and weight (the domain's required slots)
    shoes, or products without sizes: nothing (action_recommend_size uses the foot
    length if known, else shows the shoe chart)
    no product known yet: the product first (utter_ask_product)
    Shoes and products without sizes end the form at once, so no one is asked for
    their weight to buy a power bank.
    """

    def name(self) -> Text:
        return "validate_size_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        product = shop_data.find_product(first(tracker.get_slot("product")))
        asks_measures = product is None or (
            product.get("kind") == "clothing" and products.has_sizes(product)
            and products.chart_rows(product, "height", "weight"))
        measures_needed = [s for s in domain_slots if s != "product"] if asks_measures else []
        # No product yet, or the customer just answered utter_ask_product: validate that too.
        if product is None or tracker.get_slot("requested_slot") == "product":
            return ["product"] + measures_needed
        return measures_needed

    async def extract_product(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """While the form asks for the product, find a name the entity extractor missed."""
        if tracker.get_slot("requested_slot") != "product" or entity_values(tracker, "product"):
            return {}
        product = shop_data.find_product_in_text(latest_text(tracker))
        return {"product": product["id"]} if product else {}

    def validate_product(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        product = shop_data.find_product(first(value))
        # Unknown: the form asks again with utter_ask_product.
        return {"product": product["id"] if product else None}

    def validate_height(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"height": plausible("height", value, dispatcher)}

    def validate_weight(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"weight": plausible("weight", value, dispatcher)}


class ActionRecommendSize(Action):
    def name(self) -> Text:
        return "action_recommend_size"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reply_about_product(dispatcher, tracker, lambda p: size_reply(p, *measures(tracker)))
        return []
