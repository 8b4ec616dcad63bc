"""action_inform: the customer sent information outside a form.

- an order number  -> short overview of the order (status) and what we can do next
- height / weight / foot length -> size recommendation for the current product
- a product name only -> ask what they would like to know about it
- nothing usable   -> ask what they need
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import after_sales_rules as rules
from actions import products, shop_data
from actions.common import database_guard, entity_values, first, latest_text
from actions.order_form import find_order_number, is_well_formed, normalise_order_id
from actions.product_actions import (CHECKED_MEASURES, measures, plausible, product_in_message,
                                     reply_about_product, size_reply)
from actions.store import OrderStore

MEASURES = ("height", "weight", "foot_length")


class ActionInform(Action):
    def name(self) -> Text:
        return "action_inform"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number = (first(entity_values(tracker, "order_id"))
                  or find_order_number(latest_text(tracker)))
        if number:
            return self.order_overview(dispatcher, normalise_order_id(number))
        if any(entity_values(tracker, m) for m in MEASURES):
            return self.recommend(dispatcher, tracker)
        product = product_in_message(tracker)
        if product:
            return self.about_product(dispatcher, tracker, product)
        dispatcher.utter_message(response="utter_ask_what_need")
        return []

    @staticmethod
    def order_overview(dispatcher: CollectingDispatcher, order_id: Text) -> List[Dict[Text, Any]]:
        if not is_well_formed(order_id):
            dispatcher.utter_message(response="utter_order_id_format")
            return [SlotSet("order_id", None)]
        order = OrderStore().get_order(order_id)
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        product = shop_data.product_by_id(order["product_id"])
        dispatcher.utter_message(response="utter_order_found", **rules.order_values(order, product))
        return [SlotSet("order_id", order_id), SlotSet("order_status", order["status"])]

    @staticmethod
    def recommend(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        given = {m: products.to_number(first(entity_values(tracker, m))) for m in MEASURES}
        for measure in CHECKED_MEASURES:
            if given[measure] is not None and plausible(measure, given[measure], dispatcher) is None:
                return [SlotSet(measure, None)]
        events = [SlotSet(m, value) for m, value in given.items() if value is not None]
        return events + reply_about_product(dispatcher, tracker,
                                            lambda p: size_reply(p, *measures(tracker)))

    @staticmethod
    def about_product(dispatcher: CollectingDispatcher, tracker: Tracker,
                      product: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """A product name alone: recommend a size if the measures are known, else ask."""
        height, weight, foot_length = measures(tracker)
        kind = product.get("kind")
        knows_measures = ((kind == "clothing" and height is not None and weight is not None)
                          or (kind == "shoes" and foot_length is not None))
        if knows_measures and products.has_sizes(product):
            response, values = size_reply(product, height, weight, foot_length)
        else:
            response = "utter_ask_product_question"
            values = {"product_name": products.name(product)}
        dispatcher.utter_message(response=response, **values)
        return [SlotSet("product", product["id"])]
