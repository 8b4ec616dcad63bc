"""One rule for "the same sentence": check, grade (hygiene and leakage) and diagnose agree."""
from pathlib import Path

import pytest

from bot.checks import examples as check_examples
from bot.checks.model import Example as CheckExample, IntentBlock, Model
from bot.diagnose.analysis import collect_questions
from bot.diagnose.log import Message
from bot.grading.bank import Question
from bot.grading.rubric import load_rubric
from bot.grading.static import hygiene, leakage
from bot.project_files import Example
from bot.textsim import normalise

RUBRIC = load_rubric()

SAME = [
    ("请问包邮吗", "包邮吗"),                          # a polite opener (see bot/textsim.py)
    ("麻烦 发顺丰", "发顺丰"),
    ("包邮吗亲？😊", "包邮吗"),                        # particle, punctuation, emoji
    ("亲 退货寄到哪里？？", "退货寄到哪里啊"),          # 亲, spaces, particles
    ("我的快递到哪了😭", "我快递到哪啦"),               # 的, 了/啦
    ("ＯＫ的", "ok"),                                   # full width, letter case
    ("退货 单号4290697844368214483", "退货单号4201230001234567890"),  # any order number
]
DIFFERENT = [
    ("包邮吗", "包邮到新疆吗"),
    ("我要退货", "我要换货"),
    ("发什么快递", "发顺丰吗"),
    ("在吗", "好的"),
    ("165穿什么码", "175穿什么码"),
]


def check_says_same(a: str, b: str) -> bool:
    """`check`: the two sentences as examples of two intents collide."""
    blocks = [IntentBlock(intent, "data/nlu/basic.yml", line, [CheckExample(intent, text, "data/nlu/basic.yml", line + 1)])
              for intent, text, line in (("ask_x", a, 1), ("ask_y", b, 5))]
    codes = {f.code for f in check_examples._duplicates(Model(root=Path("."), nlu=blocks))}
    return bool(codes & {"examples.two_intents", "examples.similar_two_intents"})


def hygiene_says_same(a: str, b: str) -> bool:
    """`grade`'s hygiene: the two sentences as examples of two intents are a conflict."""
    examples = [Example(a, "ask_x", "data/nlu/basic.yml", 2), Example(b, "ask_y", "data/nlu/basic.yml", 6)]
    return bool(hygiene(examples, ["ask_x", "ask_y"], [], RUBRIC)["conflicts"])


def leakage_says_same(a: str, b: str) -> bool:
    """`grade`'s leak check: the training example b is an identical copy of the bank question a."""
    leaks = leakage([Question(key="q", id="q", text=a, category="return", label="退货")],
                    [Example(b, "ask_x", "data/nlu/basic.yml", 3)], threshold=0.9, min_chars=0)
    return any(hit["similarity"] == 1.0 for hit in leaks.get("q", []))


def diagnose_says_same(a: str, b: str) -> bool:
    """`diagnose`: the two logged messages are one question."""
    messages = [Message("buyer", text, 0.0, None, 0.0, []) for text in (a, b)]
    questions, _ = collect_questions(messages, ["nlu_fallback", "nlu_fallback"], 0.4)
    return len(questions) == 1


@pytest.mark.parametrize("a, b", SAME + DIFFERENT)
def test_check_grade_and_diagnose_agree(a, b):
    expected = (a, b) in SAME
    verdicts = [says(a, b) for says in (check_says_same, hygiene_says_same, leakage_says_same, diagnose_says_same)]
    assert verdicts == [expected] * 4


def test_order_numbers_are_marked_or_dropped():
    """Examples keep a mark (an order number in an example teaches the entity extractor);
    the leak check and diagnose drop it (a question with an order number is the same
    question as one without)."""
    assert normalise("退货 单号4290697844368214483") == normalise("退货单号4201230001234567890") == "退货单号〇"
    assert normalise("退款到哪了 4202955100829220983", numbers="drop") == normalise("退款到哪了", numbers="drop")
    assert normalise("亲，４２０１２３０００１２３４５６７８９０ 到哪了？？😊", numbers="drop") == "到哪"
    assert normalise("我165 100斤") == "我165100斤"  # short numbers stay
    assert normalise("！！！") == ""
