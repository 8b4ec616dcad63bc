"""The chat window: talk to the bot as a customer, like 千牛's 测试窗."""
from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import uuid
from typing import Optional

from bot import console, rasa_patches
from bot.action_server import ActionServer
from bot.assist_log import adopt, reply_instead
from bot.project import Project
from bot.project_files import catalog_products
from bot.runtime import BotRuntime, Turn

HELP = """可用命令：
  /product 商品    设置正在浏览的商品（编号或名称，如 /product P03 或 /product 牛仔裤）
  /order 订单号    设置当前买家的订单号
  /human           转人工（结束机器人接待）
  /restart         重新开始对话
  /help            显示本帮助
  /quit            退出（也可以按 Ctrl+D）"""


# The slots the debug view shows (the rest are the shop policy's texts).
DEBUG_SLOTS = ("order_id", "product", "height", "weight", "foot_length", "order_status")


def resolve_product(project: Project, query: str) -> Optional[str]:
    """A product id from an id, a name or an alias in the project's catalog."""
    query = query.strip().lower()
    for product in catalog_products(project.root):
        names = [product.get("id"), product.get("name")] + list(product.get("aliases") or [])
        if query in [str(n).lower() for n in names if n]:
            return str(product["id"])
    return None


def describe(turn: Turn) -> str:
    """The --debug line for one turn."""
    entities = ", ".join(f"{e['entity']}={e['value']}" for e in turn.entities) or "无"
    slots = ", ".join(f"{k}={v}" for k, v in turn.slots.items() if k in DEBUG_SLOTS)
    return (f"  [调试] 意图={turn.intent} 置信度={turn.confidence:.2f} 实体：{entities}\n"
            f"  [调试] 槽位：{slots or '无'}  动作：{' → '.join(turn.actions) or '无'}")


async def read_line(prompt_session, prompt: str = "你：") -> Optional[str]:
    if prompt_session is None:
        console.write(prompt, end="")
        return await asyncio.get_running_loop().run_in_executor(None, console.read_piped_line)
    try:
        return await prompt_session.prompt_async(prompt)
    except (EOFError, KeyboardInterrupt):
        return None


async def assist(runtime: BotRuntime, project: Project, sender: str, text: str,
                 prompt_session) -> Optional[Turn]:
    """智能辅助: show the top 3 answers, let the agent pick one or write their own."""
    candidates = await runtime.candidates(sender, text)
    for number, candidate in enumerate(candidates, 1):
        console.info(f"  [{number}] {candidate.intent}（置信度 {candidate.confidence:.2f}）→ {candidate.shown}")
    console.info("  输入编号采用推荐答案（直接回车 = 1），或输入你自己的回复：")
    choice = (await read_line(prompt_session, "客服：") or "").strip()
    if choice in ("",) + tuple(str(n) for n in range(1, len(candidates) + 1)) and candidates:
        return await adopt(runtime, project.conversations_db, sender, text, candidates,
                           int(choice or 1) - 1)
    await reply_instead(runtime, project.conversations_db, sender, text, candidates, choice)
    console.info(f"客服（人工）：{choice}")
    return None


def in_background(function, *args) -> asyncio.Future:
    """Run `function` in a daemon thread (so /quit never waits for it)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def work() -> None:
        try:
            result = function(*args)
        except BaseException as exc:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(future.set_exception, exc)
        else:
            loop.call_soon_threadsafe(future.set_result, result)

    threading.Thread(target=work, daemon=True).start()
    return future


async def chat(project: Project, model, options: argparse.Namespace) -> int:
    """The chat; `options` are the `shell` command's arguments."""
    server = ActionServer(project).start()
    try:
        runtime = BotRuntime(model, server.url, project.conversations_db)

        def load() -> BotRuntime:
            rasa_patches.without_tensorflow(model)  # this process never trains
            return runtime.load_blocking(options.verbose)

        # Importing Rasa and loading the model take seconds: do it while the
        # student types the first message.
        loading = in_background(load)
        sender = f"shell-{uuid.uuid4().hex[:8]}"
        context = {"product": resolve_product(project, options.product) if options.product else None,
                   "order_id": options.order}
        if options.product and not context["product"]:
            console.error(f"目录里没有商品“{options.product}”，已忽略。用 /product 重新设置。")
        started = False

        async def ready() -> BotRuntime:
            nonlocal started
            if not started:
                if loading.done():
                    await loading
                else:
                    with console.progress("小悦正在准备（加载模型、启动动作服务器）"):
                        await loading
                await in_background(server.wait_ready)
                await runtime.start_session(sender, context)
                started = True
            return runtime

        prompt_session = None
        if sys.stdin.isatty():
            from prompt_toolkit import PromptSession

            prompt_session = PromptSession()
        mode = "智能辅助：每条消息给出 3 个推荐答案，由你选择" if options.assist else "全自动接待"
        console.info(f"小悦（{mode}）：输入消息开始对话，/help 查看命令，/quit 退出。")
        while True:
            text = await read_line(prompt_session)
            if text is None:
                break
            text = text.strip()
            if not text:
                continue
            if text.startswith("/"):
                command, _, argument = text.partition(" ")
                if command in ("/quit", "/exit"):
                    break
                if command == "/help":
                    console.info(HELP)
                elif command == "/restart":
                    await (await ready()).restart(sender)
                    await runtime.start_session(sender, context)
                    console.info("（对话已重新开始）")
                elif command == "/product":
                    product = resolve_product(project, argument)
                    if product:
                        context["product"] = product
                        await (await ready()).set_slot(sender, "product", product)
                        console.info(f"（正在浏览商品 {product}）")
                    else:
                        console.error(f"目录里没有商品“{argument}”。请写商品编号或名称，例如 /product P01")
                elif command == "/order":
                    context["order_id"] = argument.strip()
                    await (await ready()).set_slot(sender, "order_id", argument.strip() or None)
                    console.info(f"（当前订单 {argument.strip() or '无'}）")
                elif command == "/human":
                    text = "转人工"
                else:
                    console.error(f"没有命令 {command}。输入 /help 查看可用命令。")
                if command != "/human":
                    continue
            await ready()
            turn = await (assist(runtime, project, sender, text, prompt_session) if options.assist
                          else runtime.send(sender, text))
            if turn is None:  # the agent wrote their own reply
                continue
            for reply in turn.replies or ["（机器人没有回复）"]:
                console.info(f"小悦：{reply}")
            if options.debug:
                console.info(describe(turn))
    finally:
        server.stop()
    console.info("再见！对话已保存到 var/conversations.db。")
    return 0
