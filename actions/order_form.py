"""Order numbers: parsing (pure) and validate_order_form."""
from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import entity_values, first, latest_text
from actions.store import ORDER_ID_PATTERN, OrderStore

logger = logging.getLogger(__name__)

# Separators shoppers type inside long numbers: spaces, dashes, underscores.
SEPARATORS = re.compile(r"[\s\-_－—–]+")
# A run of at least 8 digits, possibly split by separators: an attempt at an order number.
DIGIT_RUN = re.compile(r"\d(?:[\s\-_－—–]*\d){7,}")
# Longer texts are cut before searching; an order number is never that far in.
SEARCH_LIMIT = 500


def normalise_order_id(value: Any) -> Text:
    """Full-width digits to ASCII, separators removed: "4201 2300-01..." -> "420123001..."."""
    if value is None:
        return ""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", str(first(value)))).strip()


def is_well_formed(order_id: Text) -> bool:
    """19 digits starting with 42."""
    return bool(ORDER_ID_PATTERN.match(order_id or ""))


def find_order_number(text: Any) -> Optional[Text]:
    """The first digit run in the text that looks like an order number attempt."""
    if not text:
        return None
    match = DIGIT_RUN.search(unicodedata.normalize("NFKC", str(text)[:SEARCH_LIMIT]))
    return SEPARATORS.sub("", match.group(0)) if match else None


class ValidateOrderForm(FormValidationAction):
    """Accepts an order number only if it is well formed and in the order database.

    Also fills order_status, the slot the conditional response utter_order_status uses.
    """

    def name(self) -> Text:
        return "validate_order_form"

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Reads numbers the entity extractor misses ("4201 2300 0123 4567 890")."""
        if tracker.get_slot("requested_slot") != "order_id" or entity_values(tracker, "order_id"):
            return {}
        number = find_order_number(latest_text(tracker))
        return {"order_id": number} if number else {}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        order_id = normalise_order_id(value)
        if not is_well_formed(order_id):
            dispatcher.utter_message(response="utter_order_id_format")
            return {"order_id": None}
        try:
            order = OrderStore().get_order(order_id)
        except (sqlite3.Error, OSError):
            logger.exception("订单数据库出错（validate_order_form）")
            dispatcher.utter_message(response="utter_system_busy")
            return {"order_id": None}
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return {"order_id": None}
        return {"order_id": order_id, "order_status": order["status"]}
