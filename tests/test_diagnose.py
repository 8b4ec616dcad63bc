"""`python -m bot diagnose` on a seeded conversation log written by Rasa's own SQLTrackerStore.

The log (tests/fixtures/diagnose/conversations.yml) has known fallbacks, hand-offs,
low-confidence answers and similar unrecognised questions; the tests run the real
CLI in a subprocess and check the figures, the groups, the suggested intents, the
export and the HTML page.
"""
import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.project_files import read_nlu_blocks

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "diagnose"
START = 1_740_000_000.0   # 2025-02-19: a fixed clock for the log


def seeded_events(turns, start):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered

    clock = iter(start + i for i in range(10_000))
    events = [ActionExecuted("action_session_start", timestamp=next(clock)),
              SessionStarted(timestamp=next(clock)),
              ActionExecuted("action_listen", timestamp=next(clock))]
    for turn in turns:
        ranking = [{"name": name, "confidence": value} for name, value in turn["ranking"].items()]
        if "intent" in turn:
            intent = {"name": turn["intent"], "confidence": turn["confidence"]}
        else:   # what FallbackClassifier logs: nlu_fallback at its threshold, on top
            intent = {"name": "nlu_fallback", "confidence": 0.15}
            ranking = [intent] + ranking
        parse_data = {"intent": intent, "entities": [], "text": turn["text"], "intent_ranking": ranking}
        events.append(UserUttered(turn["text"], intent=intent, parse_data=parse_data, timestamp=next(clock)))
        events += [ActionExecuted(action, timestamp=next(clock)) for action in turn["actions"]]
        events.append(ActionExecuted("action_listen", timestamp=next(clock)))
    return events


def write_log(db: Path, conversations) -> None:
    """Write the conversations with Rasa's SQLTrackerStore, as `rasa shell` would."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(db))
    for number, (sender, turns) in enumerate(conversations.items()):
        tracker = DialogueStateTracker.from_events(sender, seeded_events(turns, START + number * 600))
        asyncio.run(store.save(tracker))
    store.engine.dispose()


def diagnose(project: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "diagnose", "--project", str(project), *options],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("diagnose") / "我的 店铺"   # a path a student might choose
    shutil.copytree(FIXTURES / "project", root)
    (root / "var").mkdir()
    conversations = yaml.safe_load((FIXTURES / "conversations.yml").read_text("utf-8"))["conversations"]
    write_log(root / "var" / "conversations.db", conversations)
    return root


@pytest.fixture(scope="module")
def outputs(project, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    result = diagnose(project, "--export", str(out / "建议问法.yml"), "--html", str(out / "报告.html"),
                      "--json", str(out / "report.json"))
    assert result.returncode == 0, result.stderr
    return {"stdout": result.stdout, "export": (out / "建议问法.yml").read_text("utf-8"),
            "html": (out / "报告.html").read_text("utf-8"),
            "report": json.loads((out / "report.json").read_text("utf-8"))}


def group_of(report, text):
    return next(g for g in report["groups"] if text in [q["text"] for q in g["questions"]])


def test_the_fixture_log_is_rasa_s_real_schema(project):
    db = sqlite3.connect(project / "var" / "conversations.db")
    columns = [row[1] for row in db.execute("PRAGMA table_info(events)")]
    assert {"sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"} <= set(columns)
    assert db.execute("SELECT count(*) FROM events WHERE type_name = 'user'").fetchone() == (18,)


def test_figures(outputs):
    report = outputs["report"]
    assert report["totals"] == {
        "conversations": 5, "messages": 18, "recognised": 11, "unrecognised": 7, "nlu_fallback": 6,
        "core_fallback": 1, "low_confidence": 2, "handoff_messages": 2, "handoff_conversations": 2,
        "symbols_only": 0, "omitted_questions": 0}
    assert report["rates"]["recognition"] == pytest.approx(11 / 18)
    assert report["rates"]["fallback"] == pytest.approx(7 / 18)
    assert report["rates"]["handoff"] == pytest.approx(2 / 5)
    assert report["assist"]["available"] is False
    assert {r["reason"]: r["count"] for r in report["handoff_reasons"]} == {"顾客要求转人工": 1, "投诉或情绪激动": 1}
    top = [(e["intent"], e["count"]) for e in report["top_intents"][:3]]
    assert top == [("greet", 3), ("ask_invoice", 2), ("ask_shipping_fee", 2)]
    assert report["top_intents"][0]["category_label"] == "基础问答"


def test_terminal_output_is_chinese_with_figures(outputs):
    out = outputs["stdout"]
    for expected in ("识别率", "61.1%", "38.9%", "转人工率", "40.0%", "2/5 个会话", "没有智能辅助记录",
                     "“你好，在吗”（greet）", "没听懂或把握不大的问题"):
        assert expected in out, expected


def test_similar_unrecognised_questions_are_grouped_with_a_suggested_intent(outputs):
    report = outputs["report"]
    shipping = group_of(report, "满多少包邮啊")
    assert {q["text"] for q in shipping["questions"]} == {"满多少包邮啊", "满多少才包邮？", "满几件包邮呀"}
    assert shipping["messages"] == 4 and shipping["conversations"] == 4
    assert shipping["questions"][0] == {"text": "满多少包邮啊", "count": 2, "conversations": 2,
                                        "kind": "unrecognised", "confidence": None, "in_training": None}
    suggestion = shipping["suggestion"]
    assert suggestion["intent"] == "ask_shipping_fee" and suggestion["accepted"]
    assert suggestion["file"] == "data/nlu/basic.yml"
    assert suggestion["line"] == 24   # the "- intent: ask_shipping_fee" line of the fixture
    assert shipping["id"] == 1        # the most asked group comes first

    invoice = group_of(report, "能开专票吗")
    assert {q["text"] for q in invoice["questions"]} == {"能开专票吗", "能开增值税专票吗"}
    assert {q["kind"] for q in invoice["questions"]} == {"low_confidence"}
    assert invoice["suggestion"]["intent"] == "ask_invoice"

    returns = group_of(report, "退货地址发我一下")
    assert returns["questions"][0]["kind"] == "core_fallback"
    assert returns["suggestion"]["intent"] == "request_return"
    assert returns["suggestion"]["file"] == "data/nlu/returns.yml"

    pet_food = [g for g in report["groups"] if {"你们卖猫粮吗", "有狗粮吗"} & {q["text"] for q in g["questions"]}]
    assert pet_food and not any(g["suggestion"]["accepted"] for g in pet_food)


def test_min_confidence_option(project):
    result = diagnose(project, "--min-confidence", "0.3", "--json", str(project / "var" / "low.json"))
    assert result.returncode == 0, result.stderr
    report = json.loads((project / "var" / "low.json").read_text("utf-8"))
    assert report["totals"]["low_confidence"] == 1
    listed = {q["text"] for g in report["groups"] for q in g["questions"]}
    assert "能开增值税专票吗" in listed and "能开专票吗" not in listed


def test_export_is_yaml_to_paste_under_the_suggested_intents(outputs):
    text = outputs["export"]
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    examples = {block["intent"]: [l[2:] for l in block["examples"].splitlines()] for block in data["nlu"]}
    assert {intent: set(texts) for intent, texts in examples.items()} == {
        "ask_shipping_fee": {"满多少包邮啊", "满多少才包邮？", "满几件包邮呀"},
        "ask_invoice": {"能开专票吗", "能开增值税专票吗"},
        "request_return": {"退货地址发我一下"}}
    assert examples["ask_shipping_fee"][0] == "满多少包邮啊"   # the most asked first
    lines = text.splitlines()
    hint = lines[lines.index("- intent: ask_shipping_fee") - 2]
    assert hint.startswith("#") and "data/nlu/basic.yml 第 24 行" in hint
    hint = lines[lines.index("- intent: request_return") - 2]
    assert "data/nlu/returns.yml" in hint
    # the unsure questions are left as comments for the student to decide
    assert "#    - 你们卖猫粮吗" in text
    # pasted under the intent, the examples are valid NLU for that file
    nlu = yaml.safe_load((FIXTURES / "project" / "data" / "nlu" / "basic.yml").read_text("utf-8"))
    block = next(b for b in nlu["nlu"] if b["intent"] == "ask_shipping_fee")
    block["examples"] += data["nlu"][[b["intent"] for b in data["nlu"]].index("ask_shipping_fee")]["examples"]
    assert "- 满几件包邮呀" in block["examples"]


def test_html_page_is_self_contained_chinese_with_charts(outputs):
    page = outputs["html"]
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    assert page.count("<svg") >= 3
    for expected in ("问答诊断报告", "识别率", "61.1%", "转人工率", "40.0%", "满多少包邮啊",
                     "包邮吗（ask_shipping_fee）", "data/nlu/basic.yml:24"):
        assert expected in page, expected
    assert "<script" not in page and "src=" not in page and "<link" not in page


def test_assist_mode_adoption_and_corrections(project, tmp_path):
    copy = tmp_path / "shop"
    shutil.copytree(project, copy)
    db = sqlite3.connect(copy / "var" / "conversations.db")
    db.execute("CREATE TABLE assist_choices (sender_id TEXT, text TEXT, suggested_intent TEXT, "
               "chosen_intent TEXT, adopted INTEGER, custom_reply TEXT, created_at TEXT)")
    db.executemany("INSERT INTO assist_choices VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("buyer-7", "<script>alert(1)</script>发票", "greet", "ask_invoice", 0, None, "2025-02-19 10:05:00"),
        ("buyer-6", "包邮吗", "ask_shipping_fee", "ask_shipping_fee", 1, None, "2025-02-19 10:00:00"),
        ("buyer-6", "有券吗", "ask_coupon", "ask_coupon", 1, None, "2025-02-19 10:01:00"),
        ("buyer-6", "在的吗", "greet", "greet", 1, None, "2025-02-19 10:02:00"),
        ("buyer-6", "可以开公司抬头吗", "ask_coupon", "ask_invoice", 0, None, "2025-02-19 10:03:00"),
        ("buyer-7", "你们老板是谁", None, None, 0, "亲，这个不方便透露哦", "2025-02-19 10:04:00"),
    ])
    db.commit()
    db.close()
    export = tmp_path / "export.yml"
    page = tmp_path / "r.html"
    result = diagnose(copy, "--json", str(tmp_path / "r.json"), "--export", str(export), "--html", str(page))
    assert result.returncode == 0, result.stderr
    assist = json.loads((tmp_path / "r.json").read_text("utf-8"))["assist"]
    assert (assist["total"], assist["adopted"], assist["custom_replies"]) == (6, 3, 1)
    assert assist["rate"] == pytest.approx(0.5)
    assert "50.0%" in result.stdout and "客服选了 ask_invoice" in result.stdout
    blocks = yaml.safe_load(export.read_text("utf-8"))["nlu"]
    assert {"intent": "ask_invoice", "examples": "- <script>alert(1)</script>发票\n- 可以开公司抬头吗\n"} in blocks
    html = page.read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;发票" in html and "<script>" not in html


def test_missing_log_is_a_clear_message_not_a_crash(tmp_path):
    shutil.copytree(FIXTURES / "project", tmp_path / "shop")
    result = diagnose(tmp_path / "shop", "--html", str(tmp_path / "r.html"))
    assert result.returncode == 0
    assert "还没有对话记录" in result.stdout and "shell" in result.stdout
    assert not (tmp_path / "r.html").exists()
    assert not (tmp_path / "shop" / "var").exists()   # diagnosing creates nothing


def test_empty_log_is_a_clear_message(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "project", root)
    (root / "var").mkdir()
    write_log(root / "var" / "conversations.db", {})
    result = diagnose(root, "--export", str(tmp_path / "x.yml"))
    assert result.returncode == 0
    assert "对话记录是空的" in result.stdout
    assert not (tmp_path / "x.yml").exists()


def test_a_file_that_is_not_a_database_is_an_error_in_chinese(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "project", root)
    (root / "var").mkdir()
    (root / "var" / "conversations.db").write_text("这不是数据库" * 200, "utf-8")
    result = diagnose(root)
    assert result.returncode == 1
    assert "不是有效的对话记录数据库" in result.stderr and "Traceback" not in result.stderr


def test_bad_min_confidence_is_a_usage_error(project):
    result = diagnose(project, "--min-confidence", "2")
    assert result.returncode == 2
    assert "0 到 1" in result.stderr


def test_fixture_line_numbers_match_the_fixture():
    blocks = read_nlu_blocks(FIXTURES / "project" / "data" / "nlu" / "basic.yml")
    assert next(b.line for b in blocks if b.intent == "ask_shipping_fee") == 24


def test_diagnose_speaks_chinese_on_chinese_consoles(tmp_path, chinese_console):
    """The log of a Windows student, with an emoji question, read on a GBK or GB18030 console."""
    root = tmp_path / "项目"
    shutil.copytree(FIXTURES / "project", root)
    (root / "var").mkdir()
    conversations = yaml.safe_load((FIXTURES / "conversations.yml").read_text("utf-8"))["conversations"]
    conversations["buyer-6"] = [{"text": "这个有货吗😊😊", "ranking": {"ask_stock": 0.1},
                                 "actions": ["action_unrecognised"]}]
    write_log(root / "var" / "conversations.db", conversations)
    result = subprocess.run([sys.executable, "-m", "bot", "diagnose", "--project", str(root),
                             "--html", str(tmp_path / "报告.html")],
                            cwd=ROOT, env=chinese_console.env, capture_output=True, timeout=120)
    out = result.stdout.decode(chinese_console.encoding)   # strict: valid in the console's encoding
    assert result.returncode == 0, out + result.stderr.decode(chinese_console.encoding, errors="replace")
    assert "识别率" in out and "转人工率" in out and "这个有货吗" in out
    assert "这个有货吗😊😊" in (tmp_path / "报告.html").read_text("utf-8")   # files keep every character


def test_grade_and_diagnose_pages_share_one_base_template(outputs):
    """One page skeleton (templates/base.html) and one chart macro for both tools."""
    from jinja2 import meta

    from bot import pages
    from bot.grading import html as grade_html

    env = pages.environment()
    for name in ("diagnose.html", "grade_report.html", "grade_index.html"):
        referenced = set(meta.find_referenced_templates(env.parse(env.loader.get_source(env, name)[0])))
        assert {"base.html", "charts.html"} <= referenced, name
    head = outputs["html"].split("<title>")[0]
    assert head.startswith("<!DOCTYPE html>") and head == grade_html.render_index([]).split("<title>")[0]
