"""Rasa input channels of `dxm serve`: the REST channel and the test window (测试窗).

Both are Rasa's own extension point (InputChannel subclasses whose blueprints Rasa
mounts); every customer text goes through bot.runtime.clean, so `/intent{...}` typed
by a user is text, never a forced intent or slot.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.assist_log import adopt, reply_instead
from bot.project import Project
from bot.project_files import catalog_products
from bot.runtime import BotRuntime, clean
from bot.shell import DEBUG_SLOTS, resolve_product

PAGE = Path(__file__).with_name("chat.html")
MAX_NAME_CHARS = 32


def json_body(request: Request) -> Dict[str, Any]:
    """The request's JSON object, or a Chinese 400 error."""
    try:
        body = request.json
    except InvalidUsage:
        body = None
    if not isinstance(body, dict):
        raise InvalidUsage('请求内容必须是 JSON 对象，例如 {"sender": "学生1", "message": "在吗"}')
    return body


class SafeRestInput(RestInput):
    """Rasa's REST channel at /webhooks/rest/webhook, reading text as text."""

    async def _extract_sender(self, req: Request) -> Optional[str]:
        return json_body(req).get("sender")

    def _extract_message(self, req: Request) -> Optional[str]:
        return clean(str(json_body(req).get("message") or ""))


class TestWindowInput(InputChannel):
    """/chat: the test window page and the JSON endpoints it calls."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @classmethod
    def name(cls) -> str:
        return "chat"

    def url_prefix(self) -> str:
        return "/chat"  # absolute: Rasa joins it to /webhooks/ as /chat

    def sender(self, body: Dict[str, Any]) -> str:
        """Each student's name is their own conversation."""
        name = clean(str(body.get("sender") or ""))[:MAX_NAME_CHARS]
        if not name:
            raise InvalidUsage("请先在“你的名字”里填上名字：每个人的对话分开保存。")
        return f"web-{name}"

    def context(self, body: Dict[str, Any]) -> Dict[str, Optional[str]]:
        """The product page and order chosen in the pickers, checked against the shop."""
        from actions.store import OrderStore

        product = str(body.get("product") or "").strip()
        order = str(body.get("order") or "").strip()
        product_id = resolve_product(self.project, product) if product else None
        if product and not product_id:
            raise InvalidUsage(f"目录里没有商品“{product}”：请从商品列表里选择。")
        if order and not OrderStore(self.project.shop_db).get_order(order):
            raise InvalidUsage(f"订单库里没有订单“{order}”：请从订单列表里选择。")
        return {"product": product_id, "order_id": order or None}

    async def open(self, runtime: BotRuntime, sender: str, body: Dict[str, Any]) -> None:
        """Start the conversation on the chosen page, as the shell's --product/--order."""
        context = self.context(body)
        await runtime.start_session(sender, context)
        for slot, value in context.items():
            await runtime.set_slot(sender, slot, value)

    def shop(self) -> Dict[str, Any]:
        from actions.after_sales_rules import ORDER_STATUS_LABELS
        from actions.store import OrderStore

        names = {str(p.get("id")): str(p.get("name")) for p in catalog_products(self.project.root)}
        return {
            "products": [{"id": pid, "label": f"{pid} {name}"} for pid, name in names.items()],
            "orders": [{"id": o["order_id"], "label": " ".join((
                o["order_id"], names.get(o["product_id"], o["product_id"]),
                ORDER_STATUS_LABELS.get(o["status"], o["status"])))}
                for o in OrderStore(self.project.shop_db).orders()],
        }

    def blueprint(self, on_new_message) -> Blueprint:
        blueprint = Blueprint("test_window", __name__)
        page = PAGE.read_text("utf-8")
        log = self.project.conversations_db

        def conversation(request: Request) -> Tuple[Dict[str, Any], BotRuntime, str, str]:
            """The request's body, the bot, the conversation and the customer's text."""
            body = json_body(request)
            bot = BotRuntime.around(request.app.ctx.agent)
            return body, bot, self.sender(body), str(body.get("text") or "")

        def turn_json(turn) -> Dict[str, Any]:
            return dict(asdict(turn),
                        slots={k: v for k, v in turn.slots.items() if k in DEBUG_SLOTS},
                        ranking=[{"name": r.get("name"), "confidence": r.get("confidence")}
                                 for r in turn.ranking[:3]])

        @blueprint.route("/", methods=["GET"])
        async def show(request: Request):
            return response.html(page, headers={
                "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
                                           "script-src 'unsafe-inline'"})

        @blueprint.route("/shop", methods=["GET"])
        async def shop(request: Request):
            return response.json(self.shop())

        @blueprint.route("/session", methods=["POST"])
        async def session(request: Request):
            body, bot, sender, _ = conversation(request)
            await self.open(bot, sender, body)
            return response.json({"ok": True})

        @blueprint.route("/restart", methods=["POST"])
        async def restart(request: Request):
            body, bot, sender, _ = conversation(request)
            await bot.restart(sender)
            await self.open(bot, sender, body)
            return response.json({"ok": True})

        @blueprint.route("/message", methods=["POST"])
        async def message(request: Request):
            _, bot, sender, text = conversation(request)
            return response.json(turn_json(await bot.send(sender, text)))

        @blueprint.route("/suggest", methods=["POST"])
        async def suggest(request: Request):
            _, bot, sender, text = conversation(request)
            return response.json([{"intent": c.intent, "confidence": c.confidence,
                                   "answer": c.shown} for c in await bot.candidates(sender, text)])

        @blueprint.route("/adopt", methods=["POST"])
        async def adopt_suggestion(request: Request):
            # The operator's pick is an index: the candidates are computed again here,
            # so a client never sends what the bot understood.
            body, bot, sender, text = conversation(request)
            candidates = await bot.candidates(sender, text)
            index = body.get("choice")
            if not isinstance(index, int) or not 0 <= index < len(candidates):
                raise InvalidUsage(f"推荐答案编号不对：应为 0 到 {len(candidates) - 1}。")
            return response.json(turn_json(await adopt(bot, log, sender, text, candidates, index)))

        @blueprint.route("/reply", methods=["POST"])
        async def own_reply(request: Request):
            body, bot, sender, text = conversation(request)
            reply = clean(str(body.get("reply") or ""))
            if not reply:
                raise InvalidUsage("客服回复是空的：请写上回复内容，或选择一个推荐答案。")
            await reply_instead(bot, log, sender, text, await bot.candidates(sender, text), reply)
            return response.json({"ok": True, "reply": reply})

        return blueprint
