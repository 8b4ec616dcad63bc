"""After-sales decisions: pure functions of an order, its product, the time and the policy.

No Rasa and no database here, so every rule can be unit-tested with a hand-made order.
Each function returns a `Decision`: whether the customer's request can go ahead, a
reason code (the action turns it into a response name) and the values the reply shows.

Order dicts are rows of the `orders` table (times as "YYYY-MM-DD HH:MM:SS" text);
refunds and tracking events are rows of their tables; policy is shop/policy.yml.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, Optional, Sequence, Text

from actions import products, timeutil

# An order, product, refund, ticket or tracking event, or the policy, as a dict.
Row = Dict[Text, Any]

# Defaults used when shop/policy.yml lacks a number.
DEFAULT_RETURN_DAYS = 7
DEFAULT_EXCHANGE_DAYS = 15
DEFAULT_SHIP_WITHIN_HOURS = 48

ORDER_STATUS_LABELS = {"unpaid": "待付款", "paid": "待发货", "shipped": "已发货",
                       "delivered": "已签收", "completed": "交易成功", "closed": "已关闭"}
REFUND_KIND_LABELS = {"return": "退货退款", "refund": "仅退款", "exchange": "换货"}
OPEN_REFUND_STATUSES = ("pending", "agreed", "returning", "refunding")

RETURN_KINDS = ("return", "exchange", "refund", "cancel")
LOGISTICS_KINDS = ("where_is_parcel", "urge_shipping", "change_address", "delivered_not_received")
QUALITY_TICKETS = {"report_damaged": "damaged", "report_defect": "defect",
                   "report_wrong_item": "wrong_item", "suspect_fake": "fake",
                   "report_allergy": "allergy"}
TICKET_LABELS = {"damaged": "破损", "defect": "质量", "wrong_item": "发错货", "fake": "真伪核实",
                 "allergy": "过敏", "not_received": "签收未收到", "address_change": "修改地址"}
# How many tracking events a reply shows (newest first).
TRACKING_EVENTS_SHOWN = 3


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Text
    values: Dict[Text, Any] = field(default_factory=dict)


def _number(policy: Row, key: Text, default: float) -> float:
    try:
        return float(policy.get(key, default))
    except (TypeError, ValueError):
        return default


def order_values(order: Row, product: Optional[Row]) -> Dict[Text, Any]:
    """Values every order reply may show."""
    delivered = timeutil.from_db(order.get("delivered_at"))
    return {
        "order_id": str(order.get("order_id", "")),
        "product_name": products.name(product, str(order.get("product_id") or "商品")),
        "status_label": ORDER_STATUS_LABELS.get(order.get("status"), str(order.get("status"))),
        "amount": products.number_text(order.get("amount") or 0),
        "courier": order.get("courier") or "快递",
        "tracking_no": order.get("tracking_no") or "",
        "delivered_at": timeutil.minute_text(delivered),
        "delivered_date": timeutil.day_text(delivered),
    }


def _received_at(order: Row, now: datetime) -> datetime:
    """When the customer signed for the parcel (falls back to later/earlier stamps)."""
    times = (timeutil.from_db(order.get(k)) for k in ("delivered_at", "completed_at", "shipped_at"))
    return next((moment for moment in times if moment), now)


def _new_ticket(reason: Text, values: Dict[Text, Any], existing_ticket: Optional[Row]) -> Decision:
    """Go ahead and open the ticket, unless the one this request would open is open already."""
    if existing_ticket:
        values["ticket_no"] = existing_ticket.get("ticket_no", "")
        return Decision(False, "ticket_exists", values)
    return Decision(True, reason, values)


# ---------------------------------------------------------------- refunds


def current_refund(refunds: Sequence[Row]) -> Optional[Row]:
    """The refund that answers "how is my refund going": an open one, else a finished one.

    Finished exchanges and closed (withdrawn) applications do not count.
    """
    open_ones = [r for r in refunds if r.get("status") in OPEN_REFUND_STATUSES]
    done = [r for r in refunds if r.get("status") == "completed" and r.get("kind") != "exchange"]
    return next(iter(open_ones + done), None)


def refund_progress(order: Row, product: Optional[Row], refunds: Sequence[Row], policy: Row) -> Decision:
    """Where the order's refund stands: refund_<status>, refund_completed or no_refund."""
    values = order_values(order, product)
    refund = current_refund(refunds)
    if refund is None:
        return Decision(False, "no_refund", values)
    values.update(
        refund_kind=REFUND_KIND_LABELS.get(refund.get("kind"), "售后"),
        refund_amount=products.number_text(refund.get("amount") or order.get("amount") or 0),
        applied_at=timeutil.minute_text(timeutil.from_db(refund.get("created_at"))),
        refunded_at=timeutil.minute_text(
            timeutil.from_db(refund.get("completed_at") or refund.get("updated_at"))
        ),
        refund_days=str(policy.get("refund_days", "1-3")),
    )
    return Decision(False, f"refund_{refund.get('status')}", values)


# ---------------------------------------------------------------- returns


def return_decision(order: Row, product: Optional[Row], now: datetime, policy: Row, kind: Text,
                    refunds: Sequence[Row] = ()) -> Decision:
    """Can the customer return, exchange, get a refund for or cancel this order?

    kind: return | exchange | refund | cancel. Reasons:
      refund_<status> / refund_completed   an application exists: report its progress
      order_closed                         the order is closed
      unpaid_close                         unpaid: nothing to refund, just close it
      refund_before_shipping               paid, not shipped: cancel and refund directly
      exchange_before_shipping             paid, not shipped, wants another size/colour
      in_transit / exchange_in_transit     shipped: refuse delivery, or act after signing
      return_allowed / exchange_allowed    within return_days / exchange_days of delivery
      excluded                             opened products that cannot be returned
                                           without reason (quality problems still can)
      return_window_passed_exchange_ok     past return_days, still within exchange_days
      return_window_passed / exchange_window_passed
    """
    if kind not in RETURN_KINDS:
        raise ValueError(f"unknown return kind {kind!r}")
    status = order.get("status")
    return_days = _number(policy, "return_days", DEFAULT_RETURN_DAYS)
    exchange_days = _number(policy, "exchange_days", DEFAULT_EXCHANGE_DAYS)
    values = dict(order_values(order, product), return_days=products.number_text(return_days),
                  exchange_days=products.number_text(exchange_days),
                  refund_days=str(policy.get("refund_days", "1-3")))

    if any(r.get("status") in OPEN_REFUND_STATUSES for r in refunds) or (
            status == "closed" and current_refund(refunds) and kind != "exchange"):
        progress = refund_progress(order, product, refunds, policy)
        return Decision(False, progress.reason, {**values, **progress.values})
    if status == "closed":
        return Decision(False, "order_closed", values)
    if status == "unpaid":
        return Decision(True, "unpaid_close", values)
    if status == "paid":
        return Decision(True, "exchange_before_shipping" if kind == "exchange" else "refund_before_shipping",
                        values)
    if status == "shipped":
        return Decision(False, "exchange_in_transit" if kind == "exchange" else "in_transit", values)

    # delivered or completed: the windows count from signing.
    received = _received_at(order, now)
    elapsed = now - received
    exchange_deadline = received + timedelta(days=exchange_days)
    excluded = bool(product and product.get("return_excluded"))
    values.update(days_since=str(max(0, elapsed.days)),
                  return_note=str((product or {}).get("return_note") or "拆封后不支持七天无理由退货"))
    if kind == "exchange":
        if elapsed > timedelta(days=exchange_days):
            return Decision(False, "exchange_window_passed", values)
        if excluded:
            return Decision(False, "excluded", values)
        values["deadline"] = timeutil.minute_text(exchange_deadline)
        return Decision(True, "exchange_allowed", values)
    if elapsed <= timedelta(days=return_days):
        if excluded:
            return Decision(False, "excluded", values)
        values["deadline"] = timeutil.minute_text(received + timedelta(days=return_days))
        return Decision(True, "return_allowed", values)
    if elapsed <= timedelta(days=exchange_days) and not excluded:
        values["deadline"] = timeutil.minute_text(exchange_deadline)
        return Decision(False, "return_window_passed_exchange_ok", values)
    return Decision(False, "return_window_passed", values)


# ---------------------------------------------------------------- logistics


def tracking_text(events: Sequence[Row], limit: int = TRACKING_EVENTS_SHOWN) -> Text:
    """The newest tracking events, newest first, one per line."""
    newest_first = list(events)[-limit:][::-1]
    when = [timeutil.minute_text(timeutil.from_db(e.get("happened_at"))) for e in newest_first]
    return "\n".join(f"{w} {e.get('description', '')}".strip() for w, e in zip(when, newest_first))


def logistics_decision(order: Row, product: Optional[Row], events: Sequence[Row], now: datetime,
                       policy: Row, kind: Text, existing_ticket: Optional[Row] = None) -> Decision:
    """Where is the parcel / please ship / change the address / signed but not received.

    Reasons:
      order_closed
      pay_first                 unpaid
      change_address_self       unpaid: the customer edits the address in the order
      ship_pending              paid, within ship_within_hours (values: hours_left)
      ship_overdue              paid, past ship_within_hours: apologise, record an urge
      change_address_before_shipping   paid: open an address_change ticket
      in_transit                shipped: the newest tracking events
      change_address_shipped    shipped: open an address_change ticket (re-routing)
      delivered                 delivered/completed: signed at, check 驿站/快递柜/家人
      not_received_ticket       delivered_not_received on a delivered order: open a ticket
      change_address_delivered  too late to change the address
      ticket_exists             the ticket this request would open is already open
    """
    if kind not in LOGISTICS_KINDS:
        raise ValueError(f"unknown logistics kind {kind!r}")
    status = order.get("status")
    ship_within = _number(policy, "ship_within_hours", DEFAULT_SHIP_WITHIN_HOURS)
    values = dict(order_values(order, product), ship_within_hours=products.number_text(ship_within),
                  delivery_days=str(policy.get("delivery_days", "2-4")),
                  tracking_events=tracking_text(events) or "暂时还没有物流记录",
                  last_event=str(events[-1].get("description", "")) if events else "",
                  hours_left="")

    def ticket(reason: Text, ticket_kind: Text) -> Decision:
        values.update(ticket_kind=ticket_kind, ticket_label=TICKET_LABELS[ticket_kind])
        return _new_ticket(reason, values, existing_ticket)

    if status == "closed":
        return Decision(False, "order_closed", values)
    if status == "unpaid":
        if kind == "change_address":
            return Decision(True, "change_address_self", values)
        return Decision(False, "pay_first", values)
    if status == "paid":
        if kind == "change_address":
            return ticket("change_address_before_shipping", "address_change")
        paid = (timeutil.from_db(order.get("paid_at"))
                or timeutil.from_db(order.get("created_at")) or now)
        deadline = paid + timedelta(hours=ship_within)
        values["hours_since"] = str(max(0, int((now - paid).total_seconds() / 3600)))
        if now > deadline:
            return Decision(False, "ship_overdue", values)
        values["hours_left"] = str(max(1, math.ceil((deadline - now).total_seconds() / 3600)))
        return Decision(True, "ship_pending", values)
    if status == "shipped":
        if kind == "change_address":
            return ticket("change_address_shipped", "address_change")
        return Decision(True, "in_transit", values)
    # delivered or completed
    if kind == "change_address":
        return Decision(False, "change_address_delivered", values)
    if kind == "delivered_not_received":
        return ticket("not_received_ticket", "not_received")
    return Decision(True, "delivered", values)


# ---------------------------------------------------------------- quality


def quality_decision(order: Row, product: Optional[Row], now: datetime, policy: Row, intent: Text,
                     existing_ticket: Optional[Row] = None) -> Decision:
    """A quality complaint (damaged, defect, wrong item, fake, allergy) about an order.

    Reasons: quality_<ticket kind> (open a ticket: remedies 退货退款/换新/补发, the shop
    pays the return shipping), ticket_exists, not_delivered (the goods cannot have
    arrived yet), order_closed.
    """
    ticket_kind = QUALITY_TICKETS.get(intent)
    if ticket_kind is None:
        raise ValueError(f"not a quality intent: {intent!r}")
    status = order.get("status")
    values = order_values(order, product)
    values.update(ticket_kind=ticket_kind, ticket_label=TICKET_LABELS[ticket_kind])
    if status == "closed":
        return Decision(False, "order_closed", values)
    if status in ("unpaid", "paid"):
        return Decision(False, "not_delivered", values)
    return _new_ticket(f"quality_{ticket_kind}", values, existing_ticket)
