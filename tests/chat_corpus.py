"""Odd customer messages, generated from a fixed seed (the same every run).

Used by tests/test_chat_corpus.py: thousands of them go through the runtime (the path
the shell and the grader use) and a few hundred through the real shell's piped stdin.
Each generator is one kind of odd input; a conversation is a run of "moves", a move
being one odd message or a short sequence (the same question three times, three
messages the bot cannot understand, an odd message inside the order form...).
"""
from __future__ import annotations

import os
import random
import string
from typing import Callable, Dict, List, Tuple

QUESTIONS = ["包邮吗", "发什么快递", "这个多少钱", "在吗", "能开发票吗", "快递到哪了",
             "我165 100斤穿什么码", "收到的耳机是坏的", "有优惠券吗", "几天能到"]
ORDER_START = ["我要退货", "我想退款", "帮我查下物流", "东西坏了要换"]
ORDER_IDS = ["4201230001234567890", "4209999999999999999"]
INTENTS = ["greet", "request_return", "request_refund", "restart", "session_start", "nlu_fallback",
           "action_handoff", "out_of_scope", "ask_price", "inform"]
SLOTS = ["order_id", "product", "order_status", "requested_slot", "height", "weight"]
EMOJI = ["😀", "🙏", "👍🏽", "👨‍👩‍👧‍👦", "🇨🇳", "❤️", "🤬", "🧧", "🈶", "🆗", "\u200d", "\ufe0f"]
CJK = "你好在吗包邮退货换货快递到哪了坏掉质量问题订单号码尺寸颜色价格优惠发票亲"


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CJK) for _ in range(n))


def empty(rng):
    return rng.choice(["", " ", "   ", "\t", "\u3000", "\u3000\u3000", " \t ", "\u00a0", "\u200b"])


def emoji(rng):
    return "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 12))) + rng.choice(["", "包邮吗"])


def control(rng):
    chars = [chr(c) for c in list(range(0, 32)) + [127] + list(range(128, 160))]
    return "".join(rng.choice(chars + list(CJK)) for _ in range(rng.randint(1, 20)))


def nul(rng):
    return rng.choice(["\x00", "退货\x00", "\x00" * 50, "包\x00邮\x00吗"])


def surrogate(rng):
    lone = chr(rng.randint(0xD800, 0xDFFF))
    return rng.choice([lone, f"退货{lone}", f"{lone}{lone}快递", f"订单{lone}4201230001234567890"])


def huge(rng):
    return rng.choice([_text(rng, 50_000), "啊" * 50_000, "4" * 50_000, "包邮吗" * 17_000])


def sql(rng):
    return rng.choice([
        "'; DROP TABLE orders; --", "1' OR '1'='1", "4201230001234567890' OR '1'='1",
        "SELECT * FROM tickets; DELETE FROM orders", "退货'); UPDATE orders SET status='refunded'; --",
        "\" OR \"\"=\"", "%' AND 1=0 UNION SELECT sql FROM sqlite_master --"])


def yaml_like(rng):
    return rng.choice([
        "intent: greet\nexamples: |\n  - 你好", "- text: \"{shop_name}\"", "version: \"3.1\"",
        "!!python/object/apply:os.system ['ls']", "&a [*a, *a, *a]", "key: [unclosed",
        "responses:\n  utter_greet:\n  - text: hi", "--- \n...", "? complex key\n: value"])


def json_like(rng):
    depth = rng.randint(1, 300)
    return rng.choice([
        '{"text": "退货", "intent": {"name": "restart"}}', "[" * depth + "]" * depth,
        '{"order_id": "4201230001234567890"}', '{"events": [{"event": "restart"}]}',
        "{" * depth, '{"a": ' * 50 + "1" + "}" * 50, "null", "true", "[]", "{}"])


def shell_like(rng):
    return rng.choice([
        "$(rm -rf /)", "`reboot`", "; ls -la", "| cat /etc/passwd", "&& shutdown -h now",
        "退货 > /dev/null 2>&1", "${HOME}", "%PATH%", "C:\\Windows\\System32", "../../etc/passwd",
        "\x1b[31m红色\x1b[0m", "\x1b]0;title\x07", "^C", "\x04"])


def slash(rng):
    return rng.choice([
        "/restart", "/session_start", "/nlu_fallback", "/quit", "/help", "/product P01", "/order 1",
        "/human", "/", "//", "/greet", "/ 包邮吗", "／restart", "/action_restart", "/back",
        "/out_of_scope", "/restart 退货"])


def injection(rng):
    intent = rng.choice(INTENTS)
    slots = {rng.choice(SLOTS): rng.choice(ORDER_IDS + ["P01", "delivered", "order_id", "999"])
             for _ in range(rng.randint(0, 3))}
    body = ", ".join(f'"{k}": "{v}"' for k, v in slots.items())
    return rng.choice([f"/{intent}{{{body}}}", f"/{intent}", f"/{intent}@0.99{{{body}}}",
                       f"/{intent}{{{body}", f"  /{intent}{{{body}}}"])


def fullwidth(rng):
    digits = "".join(chr(0xFF10 + int(d)) for d in rng.choice(ORDER_IDS))
    return rng.choice([f"我的订单号是{digits}", "１６５ｃｍ　１００斤穿什么码", f"退货 {digits}",
                       "ＡＢＣ包邮吗？！", f"订单{digits[:10]}"])


def digits(rng):
    n = rng.choice([1, 5, 18, 19, 20, 30, 100, 1000, 5000])
    number = "".join(rng.choice(string.digits) for _ in range(n))
    return rng.choice([number, f"订单号{number}", f"我要退货 {number}", " ".join(number[:40])])


def format_like(rng):
    return rng.choice(["{shop_name}", "{order_id}{product}", "%s%s%s%n", "{0}{1}", "{{}}",
                       "\\N{BULLET}", "\\u0000", "<script>alert(1)</script>", "&lt;b&gt;",
                       "\u202e退货\u202c", "\ufeff包邮吗", "\uffff\ufffe", "\ue000\uf8ff"])


def gibberish(rng):
    return "".join(rng.choice(string.ascii_lowercase + " ") for _ in range(rng.randint(3, 30)))


KINDS: Dict[str, Callable[[random.Random], str]] = {
    f.__name__: f for f in (empty, emoji, control, nul, surrogate, huge, sql, yaml_like, json_like,
                            shell_like, slash, injection, fullwidth, digits, format_like, gibberish)
}


def move(rng: random.Random) -> List[Tuple[str, str]]:
    """One odd message, or a short sequence: [(kind, text), ...]."""
    roll = rng.random()
    if roll < 0.06:
        question = rng.choice(QUESTIONS)
        return [("repeated", question)] * rng.randint(3, 4)
    if roll < 0.10:
        return [("not_understood", gibberish(rng)) for _ in range(3)]
    if roll < 0.16:  # odd messages while the order form waits for an order number
        kind = rng.choice(list(KINDS))
        return [("form", rng.choice(ORDER_START)), (kind, KINDS[kind](rng)), (kind, KINDS[kind](rng))]
    if roll < 0.22:
        return [("question", rng.choice(QUESTIONS))]
    kind = rng.choice(list(KINDS))
    return [(kind, KINDS[kind](rng))]


def conversations(seed: int, total: int, length: int) -> List[List[Tuple[str, str]]]:
    """About `total` messages in conversations of about `length` messages each."""
    rng = random.Random(seed)
    result: List[List[Tuple[str, str]]] = []
    count = 0
    while count < total:
        turns: List[Tuple[str, str]] = []
        while len(turns) < length and count + len(turns) < total:
            turns += move(rng)
        result.append(turns)
        count += len(turns)
    return result


# ------------------------------------------------------------------ running it

def check_turn(turn) -> str:
    """What is wrong with a turn (bot/runtime.Turn) ("" when nothing)."""
    if not 1 <= len(turn.replies) <= 3:
        return f"{len(turn.replies)} replies"
    if not 0.0 <= turn.confidence <= 1.0:  # NaN too
        return f"confidence {turn.confidence} for {turn.intent}"
    return ""


async def converse(runtime, talks: List[List[Tuple[str, str]]], prefix: str) -> Dict:
    """Every conversation through `runtime` (bot/runtime.BotRuntime): the turns counted
    and every problem as (kind, start of the text, what went wrong)."""
    import time
    import traceback

    problems, turns, started = [], 0, time.perf_counter()
    for number, talk in enumerate(talks):
        sender = f"{prefix}-{number}"
        await runtime.start_session(sender)
        for kind, text in talk:
            turns += 1
            try:
                problem = check_turn(await runtime.send(sender, text))
            except Exception:  # noqa: BLE001 - counted, with where it happened
                problem = traceback.format_exc(limit=-3)
            if problem:
                problems.append((kind, text[:40], problem))
    return {"turns": turns, "problems": problems, "seconds": time.perf_counter() - started}


def shard(talks: List, index: int, count: int) -> List:
    return talks[index::count]


def main(argv: List[str]) -> int:
    """`python tests/chat_corpus.py MODEL ACTION_URL CONVERSATIONS_DB SEED TOTAL LENGTH I N`:
    shard I of N through a runtime in this process; prints the outcome as JSON."""
    import asyncio
    import json
    from pathlib import Path

    from bot.runtime import BotRuntime

    model, url, db, seed, total, length, index, count = argv
    talks = shard(conversations(int(seed), int(total), int(length)), int(index), int(count))
    loop = asyncio.new_event_loop()
    runtime = loop.run_until_complete(BotRuntime(Path(model), url, Path(db)).load())
    outcome = loop.run_until_complete(converse(runtime, talks, f"corpus-{index}-{os.getpid()}"))
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
