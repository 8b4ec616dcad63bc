"""action_order_followup: after order_form, answer the request the customer came with."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import after_sales_rules as rules
from actions import logistics, quality, returns, shop_data, timeutil
from actions.common import Case, database_guard, first
from actions.order_form import is_well_formed, normalise_order_id
from actions.store import OrderStore

# Task intent -> the family module that handles it.
FAMILIES: Dict[Text, Callable[[Case], List[Dict[Text, Any]]]] = {
    **{intent: returns.handle for intent in returns.INTENTS},
    **{intent: logistics.handle for intent in logistics.INTENTS},
    **{intent: quality.handle for intent in quality.INTENTS},
}


def task_intent(tracker: Tracker) -> Optional[Text]:
    """The latest user intent that asked for something about an order.

    The message that completed the form is usually just the order number (inform), so
    the request is found further back: "我要退货" -> order_form -> "4201..." -> here.
    """
    for event in reversed(tracker.events or []):
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name in FAMILIES:
            return name
    return None


class ActionOrderFollowup(Action):
    def name(self) -> Text:
        return "action_order_followup"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        order_id = normalise_order_id(first(tracker.get_slot("order_id")))
        if not is_well_formed(order_id):
            dispatcher.utter_message(response="utter_ask_order_id")
            return []
        store = OrderStore()
        order = store.get_order(order_id)
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None), SlotSet("order_status", None)]

        product = shop_data.product_by_id(order["product_id"])
        intent = task_intent(tracker)
        if intent is None:
            values = rules.order_values(order, product)
            dispatcher.utter_message(response="utter_order_found", **values)
            return [SlotSet("order_status", order["status"])]
        case = Case(intent, order, product, store, dispatcher, tracker, timeutil.now(),
                    shop_data.policy())
        return FAMILIES[intent](case)
