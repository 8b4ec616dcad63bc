"""Question banks as teachers write them: Excel's encodings, bad rows, empty files."""
import subprocess
import sys
from pathlib import Path

import pytest

from bot.exit_codes import EXIT_NO_QUESTIONS, EXIT_USAGE
from bot.grading.bank import BankError, load_bank, load_banks, parse_must_include
from bot.project import REFERENCE_ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "grading"
SMALL = FIXTURES / "small_bank.csv"


def saved_as(tmp_path, encoding, name="bank.csv", text=None):
    path = tmp_path / name
    path.write_bytes((text or SMALL.read_text("utf-8")).encode(encoding))
    return path


def summary(bank):
    return [(q.id, q.text, q.category, q.line) for q in bank.questions]


@pytest.mark.parametrize("encoding, label", [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8（带 BOM）"),
    ("gbk", "GBK"),
    ("gb18030", "GBK"),
])
def test_excel_encodings_read_the_same_questions(tmp_path, encoding, label):
    reference = load_bank(SMALL)
    bank = load_bank(saved_as(tmp_path, encoding))
    assert bank.encoding == label
    assert summary(bank) == summary(reference)
    assert bank.problems == []


def test_unicode_text_from_excel_is_utf16_and_tab_separated(tmp_path):
    text = SMALL.read_text("utf-8").replace(",", "\t")
    bank = load_bank(saved_as(tmp_path, "utf-16", text=text))
    assert bank.encoding == "UTF-16"
    assert summary(bank) == summary(load_bank(SMALL))


def test_chinese_headers_and_extra_columns(tmp_path):
    path = tmp_path / "老师的题库.csv"
    path.write_text("编号,问题,类别,备注,老师自己的列\nA1,我要退货,退货,,x\nA2,快递到哪了,物流,,y\nA3,包邮吗,基础问答,,z\n",
                    "utf-8")
    bank = load_bank(path)
    assert [(q.id, q.category, q.label) for q in bank.questions] == [
        ("A1", "return", "退货"), ("A2", "logistics", "物流"), ("A3", "negative", "基础问答")]


def test_bad_rows_are_reported_with_their_line_and_skipped():
    bank = load_bank(FIXTURES / "bank_bad_rows.csv")
    assert [(q.id, q.line) for q in bank.questions] == [("B1", 2), ("B5", 6), ("B7", 9)]
    assert [(p.line, p.skipped) for p in bank.problems] == [(3, True), (4, True), (5, True), (8, True)]
    messages = [str(p) for p in bank.problems]
    assert "bank_bad_rows.csv 第 3 行：没有问题文本" in messages[0]
    assert "没有类别" in messages[1]
    assert "编号 B1 和第 2 行重复" in messages[2]
    assert "问题和第 2 行重复" in messages[3]
    # A question written over two lines in a cell is kept on one line.
    assert bank.questions[1].text == "质量有问题 真的很差"


def test_an_unclosed_quote_reports_every_line_it_swallowed(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text('id,text,category\nU1,我要退货,return\nU2,"快递到哪了,logistics\n'
                    'U3,收到的是坏的,quality\nU4,包邮吗,negative\n', "utf-8")
    bank = load_bank(path)
    assert [q.id for q in bank.questions] == ["U1"]
    [problem] = bank.problems
    assert (problem.line, problem.skipped) == (3, True)
    assert "双引号没有配对：第 3–5 行（共 3 行）被读成了同一格" in str(problem)


def test_a_row_with_more_cells_than_the_header_is_skipped(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text("id,text,category\nR1,我要退货,不想要了,return\nR2,快递到哪了,logistics\n", "utf-8")
    bank = load_bank(path)
    assert [q.id for q in bank.questions] == ["R2"]
    assert [(p.line, p.skipped) for p in bank.problems] == [(2, True)]
    assert "这一行有 4 格，表头只有 3 格" in str(bank.problems[0])


def test_yaml_bank_with_line_numbers():
    bank = load_bank(FIXTURES / "bank.yml")
    assert [(q.key, q.line, q.category) for q in bank.questions] == [
        ("Y1", 3, "return"), ("Y2", 4, "logistics"), ("bank#7", 7, "negative")]
    assert bank.questions[0].must_include == (("订单号",),)
    assert [(p.line, p.message[:6]) for p in bank.problems] == [(9, "这一项不是“"), (10, "没有问题文本")]


def test_must_include_words_and_alternatives():
    assert parse_must_include("订单号|单号；亲") == (("订单号", "单号"), ("亲",))
    assert parse_must_include(" ") == ()


def test_keys_stay_unique_across_banks(tmp_path):
    first = saved_as(tmp_path, "utf-8", "a.csv")
    second = saved_as(tmp_path, "utf-8", "b.csv")
    keys = [q.key for bank in load_banks([first, second]) for q in bank.questions]
    assert len(keys) == len(set(keys)) == 24
    assert "b:T-R1" in keys


@pytest.mark.parametrize("content, message", [
    (b"", "空的"),
    ("text,category\n".encode("utf-8"), "没有可用的题目"),
    ("text,category\n,return\n我要退货,\n".encode("utf-8"), "2 行有问题"),
    ("question_text,type\n我要退货,return\n".encode("utf-8"), "缺少 text、category 列"),
    (b"\xff\xfe\x00", "编码"),
])
def test_unusable_banks_raise(tmp_path, content, message):
    path = tmp_path / "bank.csv"
    path.write_bytes(content)
    with pytest.raises(BankError) as error:
        load_bank(path)
    assert message in str(error.value)


def test_excel_workbook_asks_for_csv(tmp_path):
    path = tmp_path / "题库.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(BankError, match="另存为"):
        load_bank(path)


def grade(*args, cwd=REFERENCE_ROOT):
    return subprocess.run([sys.executable, "-m", "bot", "grade", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_empty_bank_exits_3_before_any_work(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("id,text,category\n", "utf-8")
    result = grade(REFERENCE_ROOT, "--bank", empty, "--out", tmp_path / "out")
    assert result.returncode == EXIT_NO_QUESTIONS
    assert "题库无法使用" in result.stderr and "没有可用的题目" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_bank_that_loses_rows_exits_3_unless_allowed(tmp_path):
    bank = tmp_path / "bank.csv"
    bank.write_text('id,text,category\nU1,我要退货,return\nU2,"快递到哪了,logistics\nU3,坏了,quality\n', "utf-8")
    result = grade(REFERENCE_ROOT, "--bank", bank, "--out", tmp_path / "out")
    assert result.returncode == EXIT_NO_QUESTIONS
    assert "bank.csv 第 3 行：双引号没有配对：第 3–4 行" in result.stdout
    assert "题库有 1 处坏行没有用上" in result.stderr and "--allow-bad-rows" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_bank_exits_3(tmp_path):
    result = grade(REFERENCE_ROOT, "--bank", tmp_path / "nope.csv", "--out", tmp_path / "out")
    assert result.returncode == EXIT_NO_QUESTIONS
    assert "找不到题库文件" in result.stderr


def test_usage_and_configuration_errors_exit_2(tmp_path):
    missing = grade(tmp_path / "nowhere", "--bank", SMALL, "--out", tmp_path / "out")
    assert missing.returncode == EXIT_USAGE and "找不到" in missing.stderr
    broken = tmp_path / "scenarios"
    broken.mkdir()
    (broken / "x.yml").write_text("name: 缺少轮次\ncategory: return\n", "utf-8")
    bad_scenarios = grade(REFERENCE_ROOT, "--bank", SMALL, "--scenarios", broken, "--out", tmp_path / "out")
    assert bad_scenarios.returncode == EXIT_USAGE and "turns 至少要有一轮对话" in bad_scenarios.stderr
    no_out = grade(REFERENCE_ROOT, "--bank", SMALL)
    assert no_out.returncode == EXIT_USAGE and "缺少必需的参数" in no_out.stderr


def test_help_documents_the_exit_codes():
    result = grade("--help")
    assert result.returncode == 0
    for line in ("0  评分完成", "1  有项目低于 --fail-under", "2  用法或配置错误", "3  题库是空的或读不了"):
        assert line in result.stdout
