"""One set of answer rules (bank/rubric.yml `answer_quality:`) for `check` and `grade`.

One corpus of answers goes through the real `python -m bot check --json` and through
the grader's static analysis of the same project; both must report the findings the
corpus expects, so an answer `check` passes never loses points in `grade`.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from bot import answer_rules as ar
from bot.grading.rubric import DEFAULT_RUBRIC, RubricError, load_rubric
from bot.grading.static import analyse
from bot.workspace import PLACEHOLDER as UNWRITTEN

ROOT = Path(__file__).resolve().parent.parent
OK_PROJECT = ROOT / "tests" / "fixtures" / "check" / "ok"
P, S, I, H = ar.PROMISE, ar.SUPERLATIVE, ar.IMPOLITE, ar.PLACEHOLDER

# (answer, {code: the words reported}); every word and every documented exception of the
# rubric appears at least once (test_the_corpus_covers_every_rule_and_exception).
CORPUS: List[Tuple[str, Dict[str, Tuple[str, ...]]]] = [
    # the answers issue 9 found passing check but losing points in grade
    ("亲，最近三天内发货哦", {}),
    ("亲，这件是纯棉100%面料，穿着很透气哦", {}),
    ("亲，快递路上的时间小悦不能保证，一般2-3天送到哦", {}),
    # absolute promises and their exceptions
    ("亲，保证七天内到货～", {P: ("保证",)}),
    ("亲，无法保证、不敢保证、没法保证的事小悦不会说，保证金是平台收的", {}),
    ("亲，我们绝对是正品，一定放心", {P: ("绝对", "一定")}),
    ("亲，肯定能用的哦", {P: ("肯定",)}),
    ("亲，谢谢您的肯定，您的肯定和支持、肯定与鼓励是我们的动力", {}),
    ("亲，不一定当天发，一定程度上看仓库的安排", {}),
    ("亲，百分百满意，百分之百好评", {P: ("百分百", "百分之百")}),
    ("亲，这款100%好评，100％正品", {P: ("100%", "100％")}),
    ("亲，面料是棉100%，里衬100% 羊毛，外层100%纯棉", {}),
    ("亲，永久保修，永不褪色，终身质保", {P: ("永久", "永不", "终身")}),
    ("亲，无条件退换，必定满意，零风险，万无一失", {P: ("无条件", "必定", "零风险", "万无一失")}),
    # 极限词 and their exceptions
    ("亲，这是全网最低价哦", {S: ("最低", "全网")}),
    ("亲，您最好先量一下尺码", {S: ("最好",)}),
    ("亲，最近最后最终最早最晚最迟最快最慢最多最少都是时间和数量，不算夸大哦", {}),
    ("亲，销量第一", {S: ("第一",)}),
    ("亲，第一次第一时间第一步第一件第一天都是顺序", {}),
    ("亲，顶级极致唯一独一无二国家级", {S: ("顶级", "极致", "唯一", "独一无二", "国家级")}),
    ("亲，全球世界级独家首选顶尖极品", {S: ("全球", "世界级", "独家", "首选", "顶尖", "极品")}),
    ("亲，王牌至尊史上冠军无敌万能", {S: ("王牌", "至尊", "史上", "冠军", "无敌", "万能")}),
    ("亲，本店 No.1 的款式，TOP 1 哦", {S: ("NO.1", "TOP1")}),
    # impolite wording and its exceptions
    ("滚，爱买不买", {I: ("滚", "爱买不买"), ar.NO_HONORIFIC: ()}),
    ("亲，滚动条、滚筒洗衣机、滚轮、滚珠都是商品", {}),
    ("不知道，你自己看{invoice}", {I: ("你自己看", "不知道"), ar.NO_HONORIFIC: ()}),
    ("亲，不知道您穿多大码？不知道亲要哪个颜色呢", {}),
    ("亲，自己看去，自己去看，没办法", {I: ("自己看去", "自己去看", "没办法")}),
    ("亲，不关我们的事，关我什么事，随便你", {I: ("不关我的事", "关我什么事", "随便你")}),
    ("亲，你听不懂吗，烦不烦，别问了", {I: ("你听不懂", "烦不烦", "别问了")}),
    ("亲，不归我们管，少废话，有病", {I: ("不归我管", "少废话", "有病")}),
    # placeholders
    ("亲，TODO 可以开的：{invoice}～", {H: ("TODO",)}),
    ("亲，待填写待补充待完善", {H: ("待填写", "待补充", "待完善")}),
    ("亲，请填写请输入", {H: ("请填写", "请输入")}),
    ("亲，xxx 元包邮", {H: ("xxx",)}),
    ("亲，有 XXXL 码哦", {}),
    ("亲，此处填写发货时间", {H: ("在这里写",)}),
    ("答案", {H: ("答案",), ar.NO_HONORIFIC: (), ar.TOO_SHORT: ()}),
    ("亲，答案1：七天无理由", {H: ("答案",)}),
    ("亲，发货时间……", {H: ("……",)}),
    ("亲，发货时间......或者。。。", {H: ("……",)}),
    ("亲，发货时间【】，运费｛｝，{}", {H: ("【】", "｛｝", "{}")}),
    # the {variable} names are not wording
    ("亲，满{free_shipping_threshold}元包邮哦", {}),
    # empty, unwritten, polite words, lengths
    ("", {ar.EMPTY: ()}),
    (None, {ar.EMPTY: ()}),  # a response without any variant
    ("   ", {ar.EMPTY: ()}),
    (UNWRITTEN + "顾客问“包邮吗”时，小悦怎么回答？", {ar.UNWRITTEN: ()}),
    ("包邮的，放心买吧", {ar.NO_HONORIFIC: ()}),
    ("您好，请稍等片刻", {}),
    ("亲～", {ar.TOO_SHORT: ()}),
    ("亲，{gift}～", {}),
    ("亲，" + "很长" * 150, {ar.TOO_LONG: ()}),
]


def corpus_project(folder: Path, corpus=CORPUS) -> Tuple[Path, Dict[int, str]]:
    """The clean check fixture with one response per corpus answer; (root, line -> name)."""
    shutil.copytree(OK_PROJECT, folder)
    domain = yaml.safe_load((folder / "domain.yml").read_text("utf-8"))
    for i, (text, _) in enumerate(corpus):
        domain["responses"][f"utter_corpus_{i}"] = [] if text is None else [{"text": text}]
    dumped = yaml.safe_dump(domain, allow_unicode=True, sort_keys=False, width=10 ** 6)
    (folder / "domain.yml").write_text(dumped, "utf-8")
    # check reports at the variant's line, or at the response's own when it has none
    lines = {n + (1 if m.group(2) else 2): m.group(1) for n, line in enumerate(dumped.splitlines())
             if (m := re.match(r"  (utter_corpus_\d+):( \[\])?$", line))}
    return folder, lines


def check_findings(root: Path, lines: Dict[int, str], *extra: str) -> Dict[str, Dict[str, str]]:
    """response -> {code: message} of the real `check --json` (answer-rule codes only)."""
    result = subprocess.run([sys.executable, "-m", "bot", "check", "--project", str(root), "--json",
                             "--no-rasa", *extra], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode in (0, 1), result.stderr
    found: Dict[str, Dict[str, str]] = {}
    for f in json.loads(result.stdout)["findings"]:
        if f["code"] in ar.CODES and f["file"] == "domain.yml" and f["line"] in lines:
            found.setdefault(lines[f["line"]], {})[f["code"]] = f["message"]
    return found


def grade_findings(root: Path, rubric) -> Tuple[Dict[str, Dict[str, str]], Dict]:
    """response -> {code: problem} of the grader's static analysis, and that analysis."""
    quality = analyse(root, [], rubric)["answer_quality"]
    found = {r["response"]: dict(zip(r["codes"], r["problems"])) for r in quality["responses"]
             if r["response"].startswith("utter_corpus_")}
    return found, quality


def expected_findings(corpus=CORPUS) -> Dict[str, Dict[str, Tuple[str, ...]]]:
    return {f"utter_corpus_{i}": codes for i, (_, codes) in enumerate(corpus) if codes}


def assert_agree(checked, graded, expected):
    assert {n: set(c) for n, c in checked.items()} == {n: set(c) for n, c in expected.items()}
    assert {n: set(c) for n, c in graded.items()} == {n: set(c) for n, c in expected.items()}
    for name, codes in expected.items():
        for code, words in codes.items():
            if words:  # both name the same words, in the same order
                assert "、".join(words) in checked[name][code], (name, checked[name][code])
                assert graded[name][code].endswith("：" + "、".join(words)), (name, graded[name][code])


def test_check_and_grade_report_the_same_findings(tmp_path):
    root, lines = corpus_project(tmp_path / "corpus")
    graded, quality = grade_findings(root, load_rubric())
    assert_agree(check_findings(root, lines), graded, expected_findings())
    # every answer with a finding loses its credit (penalty 1 in the rubric), the rest keep it
    responses = len(yaml.safe_load((root / "domain.yml").read_text("utf-8"))["responses"])
    assert quality["parts"]["responses"] == pytest.approx(1 - len(expected_findings()) / responses, abs=1e-4)


def test_the_corpus_covers_every_rule_and_exception():
    rules = load_rubric().answers
    texts = [text for text, _ in CORPUS if text is not None]
    for code, entries in rules.words.items():
        for rule in entries:
            assert any(rule.hits(t) for t in texts), (code, rule.word)
            for exception in rule.exceptions:
                assert any(exception in t and not rule.hits(t) for t in texts), (code, exception)
    assert {code for _, codes in CORPUS for code in codes} == set(ar.CODES)


def test_a_teachers_rubric_drives_check_and_grade_alike(tmp_path):
    """grade --rubric and check --rubric with the same edited file still agree."""
    text = DEFAULT_RUBRIC.read_text("utf-8")
    text = text.replace("    - 永久\n", "    - 永久\n    - 秒发\n")            # a new word
    text = text.replace("最晚, 最迟, 最快, 最慢", "最晚, 最迟, 最慢")          # 最快 no longer excepted
    text = text.replace("    no_honorific: 1\n", "    no_honorific: 0.5\n")  # a milder penalty
    rubric_file = tmp_path / "老师的细则.yml"
    rubric_file.write_text(text, "utf-8")
    corpus = [("亲，今天秒发哦", {P: ("秒发",)}), ("亲，最快明天到", {S: ("最快",)}),
              ("好的，有需要随时找小悦～", {ar.NO_HONORIFIC: ()}), ("亲，今天就发货哦", {})]
    root, lines = corpus_project(tmp_path / "corpus", corpus)
    rubric = load_rubric(rubric_file)
    graded, quality = grade_findings(root, rubric)
    assert_agree(check_findings(root, lines, "--rubric", str(rubric_file)), graded, expected_findings(corpus))
    responses = len(yaml.safe_load((root / "domain.yml").read_text("utf-8"))["responses"])
    assert quality["parts"]["responses"] == pytest.approx(1 - 2.5 / responses, abs=1e-4)
    # the course's own rubric still excepts 最快 and knows no 秒发
    assert set(grade_findings(root, load_rubric())[0]) == {"utter_corpus_2"}


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_RUBRIC.read_text("utf-8")
    assert old in text
    path = tmp_path / "rubric.yml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The first line of the file the regular expression `needle` finds."""
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if re.search(needle, line))


@pytest.mark.parametrize("old, new, needle, words", [
    ("      regex: '最[\\u4e00-\\u9fff]?'\n", "      regex: '最[\\u4e00-\\u9fff'\n", r"^      regex: '最\[",
     ("正则表达式", "写错了", "括号是否配对")),
    ("    - word: TODO\n", "    - wrod: TODO\n", "wrod: TODO", ("不认识的 wrod", "word、regex、show、except")),
    ("  impolite_words:\n", "  rude_words:\n", "^answer_quality:", ("缺少 impolite_words", "impolite_words: []")),
    ("    no_honorific: 1\n", "    no_honnorific: 1\n", "no_honnorific", ("不认识的问题 no_honnorific",)),
    ("  min_length: 6\n", "  min_length: 六\n", "min_length: 六", ("min_length 应当是", "整数")),
    ("      show: match\n      except: [最近", "      show: all\n      except: [最近", "show: all",
     ("show 只能是 word 或 match",)),
    ("      regex: '(?i)\\btodo\\b'\n", "      regex: 'x*'\n", r"regex: 'x\*'", ("能匹配空字符串",)),
    ("    - 一定: [不一定, 一定程度]\n", "    - 一定: [不一定, 一点程度]\n", "- 一定: ", ("例外“一点程度”里没有“一定”",)),
    ("  coverage: 40", "  coverage: [40", r"coverage: \[40", ("不是正确的 YAML",)),
])
def test_a_broken_rubric_names_file_line_and_fix(tmp_path, old, new, needle, words):
    path = broken(tmp_path, old, new)
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    message = str(caught.value)
    line = line_of(path, needle)
    if "YAML" not in message:
        assert f"{path}:{line}：" in message and "改法：" in message, message
    assert all(w in message for w in words), message
    if "YAML" in message:
        assert re.search(rf"{re.escape(str(path))}:{line}\b|{re.escape(str(path))}:{line + 1}\b", message), message


def test_check_refuses_a_broken_rubric_in_chinese(tmp_path):
    path = broken(tmp_path, "    - 第一: [第一次", "    - 第一: 第一次")
    result = subprocess.run([sys.executable, "-m", "bot", "check", "--project", str(OK_PROJECT), "--no-rasa",
                             "--rubric", str(path)], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{path}:{line_of(path, '- 第一: 第一次')}：" in result.stderr
    assert "例外应当是一串词" in result.stderr and "Traceback" not in result.stderr
