"""Helpers shared by the actions: reading the tracker, replying, guarding the database."""
from __future__ import annotations

import functools
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import after_sales_rules as rules
from actions import shop_data
from actions.store import OrderStore

logger = logging.getLogger(__name__)

EXAMPLE_PRODUCTS = 4


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> Text:
    return str((tracker.latest_message or {}).get("text") or "")


def entity_values(tracker: Tracker, entity: Text) -> List[Any]:
    """Values of `entity` in the latest message, in the order they appear."""
    entities = (tracker.latest_message or {}).get("entities") or []
    return [e.get("value") for e in entities
            if isinstance(e, dict) and e.get("entity") == entity and e.get("value") is not None]


def first(value: Any) -> Any:
    """A slot may hold a list when a message had several entities: take the first."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def ask_which_product(dispatcher: CollectingDispatcher) -> None:
    names = [str(p.get("name") or p["id"]) for p in shop_data.products()[:EXAMPLE_PRODUCTS]]
    examples = "、".join(f"“{n}”" for n in names) if names else "商品名称"
    dispatcher.utter_message(response="utter_ask_which_product", examples=examples)


def policy_text(key: Text, default: Text = "") -> Text:
    return shop_data.policy_scalars().get(key, default)


def database_guard(run: Callable) -> Callable:
    """If the order database fails, apologise instead of crashing the conversation."""

    @functools.wraps(run)
    async def guarded(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except (sqlite3.Error, OSError):
            logger.exception("订单数据库出错（%s）", self.name())
            dispatcher.utter_message(response="utter_system_busy")
            return []

    return guarded


@dataclass
class Case:
    """One after-sales request about one order, handled by returns/logistics/quality."""

    intent: Text
    order: Dict[Text, Any]
    product: Optional[Dict[Text, Any]]
    store: OrderStore
    dispatcher: CollectingDispatcher
    tracker: Tracker
    now: datetime
    policy: Dict[Text, Any]

    @property
    def order_id(self) -> Text:
        return str(self.order["order_id"])

    def say(self, response: Text, **values: Any) -> None:
        self.dispatcher.utter_message(response=response, **values)

    def open_ticket(self, kind: Text) -> Dict[Text, Any]:
        return self.store.open_ticket(kind, self.order_id, self.tracker.sender_id,
                                      latest_text(self.tracker), now=self.now)

    def logistics(self, kind: Text, existing: Optional[Dict[Text, Any]] = None) -> rules.Decision:
        return rules.logistics_decision(self.order, self.product,
                                        self.store.tracking_events(self.order_id), self.now,
                                        self.policy, kind, existing)

    def answer(self, decision: rules.Decision, responses: Dict[Text, Text],
               **extra: Any) -> List[Dict[Text, Any]]:
        """Says the response to the decision's reason; a ticket it allows is opened first.

        `extra` adds values a response needs beside the decision's; it never renames one.
        """
        assert not extra.keys() & decision.values.keys(), extra
        values = {**decision.values, **extra}
        if decision.allowed and "ticket_kind" in values:
            values["ticket_no"] = self.open_ticket(values["ticket_kind"])["ticket_no"]
        self.say(responses[decision.reason], **values)
        return []

    def say_status(self) -> List[Dict[Text, Any]]:
        """Tells the order's state with the conditional response utter_order_status.

        The variation is chosen by the order_status slot, which validate_order_form set
        when it accepted the order number. Should the slot not match the order (the
        action was reached without the form), the plain utter_order_found is used.
        An overdue unshipped order gets the apology and an urge instead.
        """
        decision = self.logistics("where_is_parcel")
        if decision.reason == "ship_overdue":
            self.store.record_urge(self.order_id, self.tracker.sender_id, now=self.now)
            self.say("utter_ship_overdue", **decision.values)
            return []
        if self.tracker.get_slot("order_status") != self.order["status"]:
            self.say("utter_order_found", **decision.values)
            return [SlotSet("order_status", self.order["status"])]
        self.say("utter_order_status", **decision.values)
        return []
