"""action_session_start: start a session with the shop policy and the page context."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import shop_data
from actions.order_form import is_well_formed, normalise_order_id

logger = logging.getLogger(__name__)

# Slots Rasa manages itself; never carried into a new session.
NOT_CARRIED = ("requested_slot", "session_started_metadata")


def carried_slots(tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
    """The previous session's slot values, as Rasa's own session start keeps them."""
    config = domain.get("session_config") or {}
    if not config.get("carry_over_slots_to_new_session", True):
        return []
    declared = domain.get("slots") or {}
    policy_keys = shop_data.policy_scalars()  # set afresh below
    return [SlotSet(name, value) for name, value in (tracker.slots or {}).items()
            if value is not None and name not in NOT_CARRIED and name not in policy_keys
            and (not declared or name in declared)]


def policy_slots(domain: DomainDict) -> List[Dict[Text, Any]]:
    """One text slot per scalar key of shop/policy.yml, for the {variables} of responses."""
    declared = domain.get("slots") or {}
    events = []
    for key, value in shop_data.policy_scalars().items():
        if declared and key not in declared:
            logger.warning("shop/policy.yml 的 %s 没有在 domain.yml 里声明槽位，答案里用不到它", key)
            continue
        events.append(SlotSet(key, value))
    return events


def context_slots(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The page the customer opened the chat from: session metadata product / order_id."""
    metadata = tracker.get_slot("session_started_metadata")
    if not isinstance(metadata, dict):
        return []
    product = shop_data.find_product(metadata.get("product"))
    events = [SlotSet("product", product["id"])] if product else []
    order_id = normalise_order_id(metadata.get("order_id"))
    if is_well_formed(order_id) and order_id != tracker.get_slot("order_id"):
        # Another order: its status is looked up when the order form accepts it.
        events += [SlotSet("order_id", order_id), SlotSet("order_status", None)]
    return events


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        return ([SessionStarted()] + carried_slots(tracker, domain) + policy_slots(domain)
                + context_slots(tracker) + [ActionExecuted("action_listen")])
