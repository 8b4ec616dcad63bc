"""report.json and its renderings; what the student view must never contain."""
import csv
import json
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

from bot import textwidth
from bot.grading.categories import AFTER_SALES
from bot.grading.static import analyse
from bot.project import REFERENCE_ROOT
from bot.project_files import read_intent_catalog
from bot.grading import classcsv, html, markdown, report, terminal, wording
from bot.grading.bank import Bank, Question
from bot.grading.rubric import load_rubric
from bot.grading.scoring import component_values, judge, metrics, score

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
RUBRIC = load_rubric()
CATEGORIES = {"request_return": "return", "where_is_parcel": "logistics", "ask_courier": "basic"}
# Ids with a CJK character: a bare "N1" also turned up inside a random temp-dir name
# (the checkout path that the report shows for the rubric) and failed the secrecy test.
QUESTIONS = [
    Question("秘R1", "秘R1", "秘密考题一号：裤子想退", "return", "return"),
    Question("秘R2", "秘R2", "秘密考题二号：退款呢", "return", "return"),
    Question("秘N1", "秘N1", "秘密考题三号：发什么快递", "negative", "basic"),
]
TURNS = {
    "秘R1": {"intent": "request_return", "confidence": 0.9, "actions": ["order_form"], "replies": ["亲，麻烦发一下订单号～"]},
    "秘R2": {"intent": "where_is_parcel", "confidence": 0.6, "actions": ["order_form"], "replies": ["秘密回复：查物流"]},
    "秘N1": {"intent": "where_is_parcel", "confidence": 0.7, "actions": ["order_form"], "replies": ["亲，麻烦发一下订单号～"]},
}
STATIC = {"hygiene": {"value": 1.0, "findings": 0, "thin_intents": [], "conflicts": [], "near_duplicates": [],
                      "broken_files": [], "intents": 3, "examples": 40},
          "answer_quality": {"value": 1.0, "findings": 0, "responses": [], "unanswered_intents": [],
                             "conditional_missing": []},
          "leaks": {}}


def build(student_view, static=STATIC):
    verdicts = {q.key: judge(q, TURNS[q.key], CATEGORIES, RUBRIC) for q in QUESTIONS}
    measured = metrics(QUESTIONS, verdicts)
    scenarios = [{"key": "s1", "name": "退货：可以退", "category": "return", "order_id": "4201", "passed": False,
                  "error": None, "turns": [{"say": "秘密情景话术", "intent": "request_return", "category": "return",
                                            "confidence": 0.9, "actions": ["order_form"], "replies": ["秘密回复"],
                                            "checks": [{"ok": False, "what": "回复包含“订单号”", "got": "回复里没有"}]}]}]
    scored = score(component_values(measured, scenarios, static, True), RUBRIC)
    bank = Bank(Path("private.csv"), "GBK", list(QUESTIONS))
    return report.assemble(name="张三", source="/class/张三", error=None, stage=None, questions=QUESTIONS,
                           verdicts=verdicts, measured=measured, scenarios=scenarios, static=static, scored=scored,
                           banks=[bank], rubric=RUBRIC, model={"reused": False, "path": "/m.tar.gz"},
                           timings={"total": 3.0}, student_view=student_view)


def renderings(data):
    return {"json": json.dumps(data, ensure_ascii=False), "md": markdown.render_markdown(data),
            "html": html.render_report(data), "table": "\n".join(terminal.project_table(data, data["view"] == "student"))}


def test_report_json_has_the_documented_fields():
    data = build(False)
    assert data["categories"]["return"]["total"] == 2 and data["categories"]["return"]["covered"] == 1
    assert data["categories"]["return"]["coverage"] == 0.5
    assert data["categories"]["logistics"]["coverage"] is None           # N/A, not 100 %
    assert data["negatives"]["total"] == 1 and data["negatives"]["misrouted"] == 1
    assert data["scenarios"]["total"] == 1 and data["scenarios"]["passed"] == 0
    assert isinstance(data["score"], float)
    assert [f["name"] for f in data["formulas"]] == ["识别率", "覆盖率", "误答率", "转人工率", "负例误答率", "情景通过率"]


def test_teacher_view_lists_every_failed_question_with_reply_confidence_and_hint():
    out = renderings(build(False))
    for text in ("秘密考题二号：退款呢", "秘密回复：查物流", "0.60", "data/nlu/returns.yml", "秘密情景话术"):
        assert text in out["html"]
    assert "秘R2" in out["table"] and "秘N1" in out["table"]                  # missing ids after the %
    assert re.search(r"退换货/退款\s+2\s+1\s+50\.0%\s+秘R2", out["table"])
    assert "N/A" in out["table"]


def test_student_view_never_shows_a_bank_question():
    data = build(True)
    assert "questions" not in data
    for name, text in renderings(data).items():
        for secret in ("秘密考题", "秘密回复", "秘密情景话术", "秘R1", "秘R2", "秘N1", "private.csv"):
            assert secret not in text, (name, secret)
    assert data["categories"]["return"]["failures"] == {"wrong_category": 1}
    assert "答成了别的类别 1" in renderings(data)["table"]


def test_html_is_self_contained():
    page = html.render_report(build(False))
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 2
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_class_csv_opens_in_excel(tmp_path):
    good = build(False)
    broken = {**build(False), "error": "训练失败。Rasa 的最后几行输出：\nrasa.x.InvalidRule: \nContradicting rules",
              "status": "error", "project": {"name": "李四", "source": "x"}}
    path = tmp_path / "class.csv"
    classcsv.write_class_csv([good, broken], path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0] == wording.CLASS_COLUMNS
    assert rows[1][:6] == ["张三", "完成", str(good["score"]), "50.0", "N/A", "N/A"]
    assert rows[2][1] == "出错" and rows[2][-1] == "训练失败：InvalidRule: Contradicting rules"


def test_index_links_every_student():
    page = html.render_index([("张三", build(False)), ("李四", {**build(False), "error": "YAML 格式错误", "status": "error"})])
    assert "href='张三/report.html'" in page and "href='李四/report.html'" in page
    assert "出错：YAML 格式错误" in page


@pytest.mark.parametrize("text, width", [("abc", 3), ("退货", 4), ("退货a", 5)])
def test_terminal_width_counts_chinese_as_two(text, width):
    assert textwidth.width(text) == width


def test_student_view_hides_findings_that_quote_a_bank_question():
    leaked = dict(STATIC, hygiene={**STATIC["hygiene"], "near_duplicates": [
        {"intent": "request_return", "a": "秘密考题一号：裤子想退", "b": "秘密考题一号：裤子想退吗",
         "similarity": 1.0, "places": ["data/nlu/returns.yml:3", "data/nlu/returns.yml:4"]}]})
    data = report.redact({"hygiene": leaked["hygiene"], "keep": "我要退货"}, [q.text for q in QUESTIONS])
    pair = data["hygiene"]["near_duplicates"][0]
    assert pair["a"] == pair["b"] == report.HIDDEN and pair["places"][0] == "data/nlu/returns.yml:3"
    assert data["keep"] == "我要退货"
    assert report.redact(["好的", "好的呀"], ["好的"]) == [report.HIDDEN, "好的呀"]  # short: equal only


HOSTILE = "<img src=x onerror=alert(1)>"


def test_html_shows_a_hostile_student_string_as_text(tmp_path):
    """An intent name and an example are the student's: the real static analysis of a
    project quotes them, and the pages must show them, never run them."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "check" / "ok", project)
    with open(project / "data" / "nlu" / "basic.yml", "a", encoding="utf-8") as nlu:
        nlu.write(f'\n- intent: "{HOSTILE}"\n  examples: |\n    - <script>alert(2)</script>能开发票吗\n'
                  '    - <script>alert(2)</script>能开发票吗？\n')
    static = analyse(project, QUESTIONS, RUBRIC)
    assert any(HOSTILE == item["intent"] for item in static["hygiene"]["thin_intents"])
    assert any(HOSTILE == item["intent"] for item in static["hygiene"]["near_duplicates"])
    data = build(False, static)
    data["project"]["name"] = f"{HOSTILE}张三"
    for page in (html.render_report(data), html.render_index([("张三", data)])):
        assert "<img" not in page and "<script" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;能开发票吗" in html.render_report(data)


def test_category_labels_come_from_shop_intents_yml():
    catalog = read_intent_catalog(REFERENCE_ROOT / "shop")
    page = html.render_report(build(False))
    table = "\n".join(terminal.class_table([build(False)]))
    for category in AFTER_SALES:
        assert catalog.categories[category] in page and catalog.categories[category] in table
        assert f"{catalog.categories[category]}覆盖率(%)" in wording.CLASS_COLUMNS


RENDERINGS = ["bot.grading.markdown", "bot.grading.classcsv", "bot.grading.terminal", "bot.grading.html",
              "bot.diagnose.html"]


@pytest.mark.parametrize("module", ["bot.grading.report", "bot.grading.output", "bot.grading.wording",
                                    "bot.charts", "bot.pages"] + RENDERINGS)
def test_each_report_module_imports_alone(module):
    """No import loop: each module imports first in a fresh interpreter; a rendering
    reads report.json only, so it never needs the module that assembles it."""
    code = f"import sys, {module}; print('bot.grading.report' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    if module in RENDERINGS:
        assert run.stdout.strip() == "False"


def test_every_template_is_package_data():
    """`pip install .` ships bot/templates/ only through pyproject.toml's package-data
    (read here by setuptools, which builds the package)."""
    from setuptools.config.pyprojecttoml import read_configuration

    patterns = read_configuration(ROOT / "pyproject.toml")["tool"]["setuptools"]["package-data"]["bot"]
    templates = list((ROOT / "bot" / "templates").iterdir())
    assert templates
    for path in templates:
        assert any(fnmatch(f"templates/{path.name}", pattern) for pattern in patterns), path.name
