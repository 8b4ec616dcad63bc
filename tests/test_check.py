"""`python -m bot check`: the real CLI on small broken projects (tests/fixtures/check/).

Every fixture is the clean `ok` project with one kind of mistake; each test asserts the
Chinese message, the exact file:line, the number of errors/warnings (so one mistake does
not cascade into many) and the exit code.
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

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"
FINDING = re.compile(r"^  (错误|警告) (\S+?)(?:（第 \d+ 列）)?  ")
SUMMARY = re.compile(r"检查完成：(\d+) 个错误，(\d+) 个警告")


def run_check(project: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--project", str(project), *extra],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def findings(output: str) -> List[Tuple[str, str, str]]:
    """(severity, file:line, the finding's whole text) for each finding printed."""
    found: List[Tuple[str, str, str]] = []
    for line in output.splitlines():
        m = FINDING.match(line)
        if m:
            found.append((m.group(1), m.group(2), line))
        elif found and line.startswith("      "):
            sev, where, text = found[-1]
            found[-1] = (sev, where, text + "\n" + line)
    return found


def summary(output: str) -> Tuple[int, int]:
    m = SUMMARY.search(output)
    assert m, output
    return int(m.group(1)), int(m.group(2))


def assert_finding(output: str, severity: str, where: str, *words: str) -> str:
    candidates = [text for sev, w, text in findings(output) if sev == severity and w == where]
    assert candidates, f"没有找到 {severity} {where}：\n{output}"
    for text in candidates:
        if all(word in text for word in words):
            return text
    raise AssertionError(f"{severity} {where} 里没有 {words}：\n" + "\n".join(candidates))


# fixture -> (exit code, errors, warnings, [(severity, file:line, words that must appear)])
CASES: Dict[str, Tuple[int, int, int, List[Tuple[str, str, Tuple[str, ...]]]]] = {
    # ---- 1. YAML
    "yaml_fullwidth_colon": (1, 1, 0, [
        ("错误", "data/nlu/basic.yml:21", ("'intent' 后面用了中文全角冒号 '：'", "改成 'intent: '",
                                         "YAML 在第 22 行第 11 列", "--fix"))]),
    "yaml_fullwidth_space": (1, 1, 0, [
        ("错误", "data/rules/basic.yml:10", ("全角空格（　）", "半角空格", "--fix"))]),
    "yaml_tab": (1, 2, 0, [
        ("错误", "domain.yml:6", ("Tab（制表符）", "YAML 在第 6 行第 1 列")),
        ("错误", "data/nlu/basic.yml:27", ("Tab（制表符）", "换成空格"))]),
    "yaml_indent": (1, 1, 0, [
        ("错误", "data/rules/basic.yml:7", ("整个文件读不下去", "第 7 行第 4 列", "缩进",
                                           "改成 2 个空格"))]),
    "yaml_missing_dash": (1, 1, 0, [
        ("错误", "data/nlu/basic.yml:49", ("例句「运费怎么算」前面少了 '- '", "加上 '- '"))]),
    "yaml_misspelt_keys": (1, 4, 0, [
        ("错误", "data/nlu/basic.yml:21", ("'intnet' 拼错了，应该是 'intent'",)),
        ("错误", "data/nlu/basic.yml:56", ("'exmaples' 拼错了，应该是 'examples'",)),
        ("错误", "domain.yml:44", ("'respones' 拼错了，应该是 'responses'",)),
        ("错误", "data/stories/returns.yml:3", ("'stroies' 拼错了，应该是 'stories'",))]),
    "yaml_missing_pipe": (1, 1, 0, [
        ("错误", "data/nlu/basic.yml:56", ("'examples:' 后面少了 '|'", "写成 'examples: |'"))]),
    "yaml_unclosed_quote": (1, 1, 0, [
        ("错误", "domain.yml:48", ("整个文件读不下去", "第 50 行第 12 列", "第 48 行的英文引号 '\"' 没有配对"))]),
    # ---- 2. structure
    "intent_no_answer": (1, 1, 0, [
        ("错误", "domain.yml:8", ("意图 ask_invoice 没有答案", "utter_ask_invoice", "data/rules/basic.yml"))]),
    "intent_not_triggered": (1, 1, 0, [
        ("错误", "domain.yml:51", ("有答案 utter_ask_invoice，但没有任何规则或故事用到它", "- intent: ask_invoice"))]),
    "response_unused": (0, 0, 1, [
        ("警告", "domain.yml:53", ("答案 utter_ask_gift 没有被任何规则、故事、表单或动作用到",))]),
    "intent_undeclared": (1, 2, 0, [
        ("错误", "data/rules/basic.yml:18", ("用了意图 ask_invoce，但 domain.yml 的 intents: 里没有它",
                                            "最接近的是 ask_invoice")),
        ("错误", "domain.yml:51", ("utter_ask_invoice，但没有任何规则或故事用到它",))]),
    "intent_no_examples": (1, 1, 0, [
        ("错误", "domain.yml:13", ("意图 ask_coupon", "没有它的例句"))]),
    "intent_no_category": (1, 1, 0, [
        ("错误", "domain.yml:8", ("意图 ask_invoice 没有在 shop/intents.yml 登记类别",
                                 "basic/product/return/logistics/quality/other"))]),
    "intent_bad_category": (1, 1, 0, [
        ("错误", "shop/intents.yml:14", ("类别 '售后' 不是课程规定的类别之一",))]),
    # ---- 3. examples
    "examples_few": (1, 1, 1, [
        ("错误", "data/nlu/basic.yml:21", ("意图 thanks 只有 3 条例句", "少于 5 条")),
        ("警告", "data/nlu/basic.yml:45", ("意图 ask_invoice 只有 8 条例句", "至少 12 条"))]),
    "example_two_intents": (1, 1, 0, [
        ("错误", "data/nlu/basic.yml:58", ("「能开发票吗」", "ask_shipping_fee（data/nlu/basic.yml:53）",
                                          "ask_invoice（data/nlu/basic.yml:58）", "另见：data/nlu/basic.yml:53"))]),
    "example_duplicate": (0, 0, 1, [
        ("警告", "data/nlu/basic.yml:53", ("「包邮吗」在意图 ask_shipping_fee 里重复了", "data/nlu/basic.yml:40"))]),
    "example_similar": (0, 0, 1, [
        ("警告", "data/nlu/basic.yml:53", ("「请问 满多少包邮呀亲？😊」和「满多少包邮」", "只差标点",
                                          "另见：data/nlu/basic.yml:45"))]),
    # ---- 4. answers
    "answer_promise": (1, 1, 0, [
        ("错误", "domain.yml:52", ("utter_ask_invoice 用了绝对化承诺：保证、一定",))]),
    "answer_superlative": (1, 1, 0, [
        ("错误", "domain.yml:52", ("极限词：最低、第一、全网",))]),
    "answer_impolite": (1, 1, 1, [
        ("错误", "domain.yml:52", ("用语不礼貌：你自己看、不知道",)),
        ("警告", "domain.yml:52", ("没有“亲”或“您”",))]),
    "answer_placeholder": (1, 2, 0, [
        ("错误", "domain.yml:52", ("占位内容：TODO",)),
        ("错误", "domain.yml:52", ("变量 {invoce}", "shop/policy.yml"))]),
    "answer_empty": (1, 1, 0, [
        ("错误", "domain.yml:48", ("utter_thanks 的 text 是空的",))]),
    "answer_no_honorific": (0, 0, 1, [
        ("警告", "domain.yml:54", ("utter_deny 里没有“亲”或“您”",))]),
    # ---- 5. catalog
    "catalog_missing_field": (1, 1, 0, [
        ("错误", "shop/catalog.yml:3", ("商品 P01（纯棉短袖T恤）缺少材质 material、尺码表 size_chart",))]),
    "catalog_duplicate_id": (1, 1, 0, [
        ("错误", "shop/catalog.yml:37", ("商品编号 P06 重复了", "另见：shop/catalog.yml:20"))]),
    "catalog_shared_alias": (1, 1, 0, [
        ("错误", "shop/catalog.yml:22", ("别名「运动鞋」", "商品 P01", "另见：shop/catalog.yml:5"))]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_mistake_is_found_where_it_is(name):
    code, errors, warnings, expected = CASES[name]
    result = run_check(FIXTURES / name, "--no-rasa")
    out = result.stdout
    for severity, where, words in expected:
        assert_finding(out, severity, where, *words)
    assert summary(out) == (errors, warnings), out
    assert result.returncode == code, out + result.stderr


def test_clean_fixture_has_nothing_to_say():
    result = run_check(FIXTURES / "ok", "--no-rasa")
    assert result.returncode == 0, result.stdout
    assert summary(result.stdout) == (0, 0)
    assert "没有发现问题，可以训练了" in result.stdout


def test_reference_project_has_no_errors():
    result = run_check(ROOT, "--no-rasa")
    assert summary(result.stdout)[0] == 0, result.stdout
    assert result.returncode == 0, result.stdout


def test_reference_project_passes_rasas_own_validation_too():
    """类别兜底 intents have no examples on purpose: Rasa's warning about them is dropped."""
    result = run_check(ROOT, timeout=300)
    assert summary(result.stdout) == (0, 0), result.stdout
    assert result.returncode == 0, result.stdout


def test_fresh_workspace_report_starts_with_a_summary(tmp_path):
    """A fresh workspace has about a hundred findings of a few kinds: before the details the
    report says which kinds, how many of each and where the first ones are."""
    workspace = tmp_path / "学生"
    made = subprocess.run([sys.executable, "-m", "bot", "new", str(workspace)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert made.returncode == 0, made.stderr
    result = run_check(workspace, "--no-rasa")
    out = result.stdout
    assert result.returncode == 1
    head, details = out.split("\n【", 1)
    assert head.splitlines()[0] == f"检查项目：{workspace}"
    errors, warnings = summary(out)
    assert f"概要：{errors} 个错误，{warnings} 个警告" in head
    shown = re.findall(r"^  (\d+) 个(错误|警告)  \S+（([a-z_.]+)），例如“(.+)”\n      位置：(.+)$", head, re.M)
    assert len(shown) >= 2, head
    assert len(head.splitlines()) <= 4 + 2 * len(shown), head

    data = json.loads(run_check(workspace, "--no-rasa", "--json").stdout)
    by_code: Dict[str, List[dict]] = {}
    for finding in data["findings"]:
        by_code.setdefault(finding["code"], []).append(finding)
    assert len(shown) == len(by_code)
    assert sum(int(count) for count, *_ in shown) == errors + warnings
    for count, severity, code, example, places in shown:
        group = by_code[code]
        assert int(count) == len(group)
        assert group[0]["message"].startswith(example.rstrip("…"))
        where = list(dict.fromkeys(f"{f['file']}:{f['line']}" for f in group))
        assert places.split(" 等 ")[0].split("、") == where[:3], places
        assert places.endswith(f" 等 {len(where)} 处") == (len(where) > 3)
        assert all(f"  {severity} {w}  " in details for w in where[:3])
    assert [k["code"] for k in data["kinds"]] == [code for *_, code, _, _ in shown]


def test_findings_are_grouped_by_file_errors_first():
    result = run_check(FIXTURES / "answer_impolite", "--no-rasa")
    lines = [line for line in result.stdout.splitlines() if FINDING.match(line) or line.startswith("【")]
    assert lines[0] == "【domain.yml】"
    assert [FINDING.match(line).group(1) for line in lines[1:]] == ["错误", "警告"]


def test_allowed_words_are_not_flagged():
    """最快 / 第一时间 describe time, not a claim (see bot/checks/answers.py)."""
    out = run_check(FIXTURES / "answer_superlative", "--no-rasa").stdout
    assert not [f for f in findings(out) if f[1] == "domain.yml:54"], out


def test_unreadable_file_does_not_cascade():
    out = run_check(FIXTURES / "yaml_unclosed_quote", "--no-rasa").stdout
    assert "有文件读不下去" in out
    assert "没有答案" not in out and "没有登记类别" not in out


def test_missing_project_is_a_usage_error(tmp_path):
    result = run_check(tmp_path / "no_such_project", "--no-rasa")
    assert result.returncode == 2
    assert "找不到项目目录" in result.stderr


def test_folder_without_project_files_is_a_usage_error(tmp_path):
    result = run_check(tmp_path, "--no-rasa")
    assert result.returncode == 2
    assert "不像是一个客服项目" in result.stderr


def test_json_output(tmp_path):
    result = run_check(FIXTURES / "example_two_intents", "--no-rasa", "--json")
    data = json.loads(result.stdout)
    assert data["errors"] == 1 and data["warnings"] == 0
    (finding,) = data["findings"]
    assert finding["code"] == "examples.two_intents"
    assert (finding["file"], finding["line"]) == ("data/nlu/basic.yml", 58)
    assert finding["also"] == [{"file": "data/nlu/basic.yml", "line": 53}]
    assert result.returncode == 1


# ------------------------------------------------------------------ --fix


def _responses(path: Path) -> Dict[str, List[str]]:
    domain = yaml.safe_load(path.read_text("utf-8"))
    return {k: [v.get("text") for v in vs] for k, vs in domain["responses"].items()}


def _examples(path: Path) -> Dict[str, str]:
    return {b["intent"]: b["examples"] for b in yaml.safe_load(path.read_text("utf-8"))["nlu"]}


def test_fix_repairs_mechanical_mistakes_with_a_backup(tmp_path):
    project = tmp_path / "fixable"
    shutil.copytree(FIXTURES / "fixable", project)
    nlu, domain = project / "data" / "nlu" / "basic.yml", project / "domain.yml"
    broken_nlu, broken_domain = nlu.read_bytes(), domain.read_bytes()

    result = run_check(project, "--no-rasa", "--fix")

    out = result.stdout
    assert "--fix：自动修改了 4 处" in out
    assert "data/nlu/basic.yml:21" in out and "改前：- intent： thanks" in out and "改后：- intent: thanks" in out
    assert "data/nlu/basic.yml:27" in out and "改前：→- 好的谢谢" in out
    assert "domain.yml:48" in out and "domain.yml:52" in out
    # backups next to the files, named name.yml.bak-YYYYMMDD-HHMMSS, holding the old bytes
    (nlu_backup,) = nlu.parent.glob("basic.yml.bak-*")
    (domain_backup,) = project.glob("domain.yml.bak-*")
    assert re.fullmatch(r"basic\.yml\.bak-\d{8}-\d{6}", nlu_backup.name)
    assert nlu_backup.read_bytes() == broken_nlu and domain_backup.read_bytes() == broken_domain
    # the fixed files parse and the check is now clean
    assert summary(out) == (0, 0) and result.returncode == 0, out
    ok = FIXTURES / "ok"
    assert _examples(nlu) == _examples(ok / "data" / "nlu" / "basic.yml")
    assert _responses(domain) == _responses(ok / "domain.yml")


def test_fix_never_changes_answer_text(tmp_path):
    project = tmp_path / "fixable"
    shutil.copytree(FIXTURES / "fixable", project)
    run_check(project, "--no-rasa", "--fix")
    lines = (project / "domain.yml").read_text("utf-8").splitlines()
    # the colon after `text` was YAML syntax; the one inside the sentence is Chinese
    assert lines[51] == "  - text: 亲，可以开的：{invoice}～"
    assert lines[47] == '  - text: "不客气呢亲，能帮到您小悦很开心～"'
    assert _responses(project / "domain.yml")["utter_ask_invoice"] == ["亲，可以开的：{invoice}～"]


def test_fix_leaves_a_clean_project_alone(tmp_path):
    project = tmp_path / "ok"
    shutil.copytree(FIXTURES / "ok", project)
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = run_check(project, "--no-rasa", "--fix")
    assert "没有可以自动修改的地方" in result.stdout
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before


def test_fix_does_not_touch_other_mistakes(tmp_path):
    project = tmp_path / "answer_promise"
    shutil.copytree(FIXTURES / "answer_promise", project)
    before = (project / "domain.yml").read_bytes()
    result = run_check(project, "--no-rasa", "--fix")
    assert (project / "domain.yml").read_bytes() == before
    assert result.returncode == 1


# ------------------------------------------------------------------ the corpus itself


def test_no_fixture_looks_like_rasa_test_stories():
    """`rasa test --stories tests` reads every tests/**/test_*.yml as test stories."""
    assert not [p for p in FIXTURES.rglob("test_*") if p.suffix in (".yml", ".yaml")]


def test_every_fixture_is_tested():
    tested = set(CASES) | {"ok", "fixable", "rasa_conflict"}
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} == tested


# ------------------------------------------------------------------ Rasa's own validation


@pytest.mark.slow
def test_rasa_validation_is_translated():
    result = run_check(FIXTURES / "rasa_conflict", "--verbose", timeout=300)
    out = result.stdout
    assert "运行 Rasa 自带的数据检查" in out
    text = assert_finding(out, "错误", "data/stories/returns.yml:11",
                          "故事/规则冲突：在意图 ask_shipping_fee 之后",
                          "「问包邮后说不用了」接着执行 utter_deny",
                          "「问包邮后道谢」接着执行 utter_ask_shipping_fee",
                          "另见：data/stories/returns.yml:4")
    # --verbose keeps Rasa's own words
    assert "原文：Story structure conflict after intent 'ask_shipping_fee'" in text
    # Rasa's false alarm about the form question is explained, not reported
    assert "utter_ask_order_id 是表单的提问" in out
    assert summary(out) == (1, 0)
    assert result.returncode == 1


@pytest.mark.slow
def test_rasas_warnings_survive_a_log_level_left_by_rasa(monkeypatch):
    """Rasa writes LOG_LEVEL into os.environ when a process loads a model (the shell, the
    grader, a test that chatted first); its story conflicts are WARNING logs."""
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    out = run_check(FIXTURES / "rasa_conflict", timeout=300).stdout
    assert_finding(out, "错误", "data/stories/returns.yml:11", "故事/规则冲突：在意图 ask_shipping_fee 之后")


def test_data_readme_asks_for_the_course_minimum_of_examples():
    """data/README.md tells students the number `check`, `grade` and `new` hold them to."""
    from bot.course import MIN_EXAMPLES

    assert f"写至少 {MIN_EXAMPLES} 条相似问法" in (ROOT / "data" / "README.md").read_text("utf-8")
