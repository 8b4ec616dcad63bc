"""The report as the student reads it (Chinese text) or as tools read it (JSON)."""
from __future__ import annotations

import json
from itertools import groupby
from typing import List

from bot.checks.findings import SEVERITY_WORDS, Finding
from bot.checks.encoding import CONVERT
from bot.checks.fixer import FIXABLE, FixResult
from bot.checks.runner import Report
from bot.checks.yaml_syntax.text import shown
from bot.textwidth import fit, width

INDENT = "      "
# The first word of a finding's code names the check that found it.
CHECK_WORDS = {"encoding": "文件编码", "project": "项目文件", "yaml": "YAML 格式", "structure": "意图和答案",
               "examples": "例句", "answers": "答案话术", "catalog": "商品目录", "config": "训练配置",
               "rasa": "Rasa 自带检查", "internal": "检查程序出错"}
SUMMARY_KINDS = 8    # kinds the summary lists; the rest are counted in one line
SUMMARY_PLACES = 3   # places shown for each kind
SUMMARY_EXAMPLE = 60  # columns of the first message shown as an example of its kind


def _block(label: str, text: str) -> List[str]:
    lines = text.rstrip().splitlines() or [""]
    pad = INDENT + " " * (len(label) * 2)  # CJK labels are two columns wide
    return [f"{INDENT}{label}{lines[0]}"] + [f"{pad}{line}" for line in lines[1:]]


def finding_lines(f: Finding, verbose: bool = False) -> List[str]:
    column = f"（第 {f.column} 列）" if f.column else ""
    head = f.message.splitlines()
    out = [f"  {SEVERITY_WORDS[f.severity]} {f.where}{column}  {head[0]}"]
    out += [f"{INDENT}{line}" for line in head[1:]]
    if f.also:
        out.append(f"{INDENT}另见：" + "、".join(f"{file}:{line}" for file, line in f.also))
    if f.fix:
        out += _block("怎么改：", f.fix)
    if (f.code in FIXABLE and f.edits) or f.code in CONVERT:
        out.append(f"{INDENT}（可以用 --fix 自动修改）")
    if verbose and f.original:
        out += _block("原文：", f.original)
    return out


def render_text(report: Report, verbose: bool = False, rasa_skipped: bool = False) -> str:
    out: List[str] = [f"检查项目：{report.root}"] + [f"注意：{note}" for note in report.notes]
    if rasa_skipped:
        out.append("（用了 --no-rasa：跳过了 Rasa 自带的数据检查）")
    out += [""] + (overview(report) if report.findings else [])
    for file, group in groupby(report.findings, key=lambda f: f.file):
        out += ["", f"【{file}】" if file else "【整个项目】"]
        for finding in group:
            out += finding_lines(finding, verbose)
    if verbose and report.rasa is not None:
        if report.rasa.ignored:
            out += ["", "Rasa 的这些提示没有单独列出（原文）："]
            for text in report.rasa.ignored:
                first, *rest = text.splitlines() or [""]
                out += [f"  - {first}"] + [f"    {line}" for line in rest]
        out += ["", f"Rasa 退出码：{report.rasa.run.returncode}"]
    return "\n".join(out + ["", summary(report)])


def overview(report: Report) -> List[str]:
    """What kinds of mistakes there are, how many of each and the first places: the
    lines before the details, so a report of 100 findings reads in five lines."""
    kinds = report.kinds
    out = [f"概要：{report.errors} 个错误，{report.warnings} 个警告，共 {len(kinds)} 类（每一处的说明见下文）："]
    for kind in kinds[:SUMMARY_KINDS]:
        check = CHECK_WORDS.get(kind.code.split(".", 1)[0])
        name = f"{check}（{kind.code}）" if check else kind.code
        example = kind.example.splitlines()[0] if kind.example else ""
        if width(example) > SUMMARY_EXAMPLE:
            example = fit(example, SUMMARY_EXAMPLE) + "……"
        places = "、".join(kind.places[:SUMMARY_PLACES])
        if len(kind.places) > SUMMARY_PLACES:
            places += f" 等 {len(kind.places)} 处"
        out += [f"  {kind.count} 个{SEVERITY_WORDS[kind.severity]}  {name}，例如“{example}”", f"{INDENT}位置：{places}"]
    if rest := kinds[SUMMARY_KINDS:]:
        out.append(f"  另有 {len(rest)} 类共 {sum(k.count for k in rest)} 处，见下文。")
    return out


def summary(report: Report) -> str:
    advice = ("请先改正错误，再训练（python -m bot train）。" if report.errors else
              "可以训练，但建议先处理这些警告。" if report.warnings else
              "没有发现问题，可以训练了（python -m bot train）。")
    return f"检查完成：{report.errors} 个错误，{report.warnings} 个警告。{advice}"


def render_fixes(result: FixResult) -> str:
    if not result.applied and not result.converted:
        return "--fix：没有可以自动修改的地方。"
    out = []
    if result.converted:
        out.append(f"--fix：把 {len(result.converted)} 个文件转成了 UTF-8 编码（文字内容不变）：")
        out += [f"  {rel}：{encoding} → UTF-8" for rel, encoding in result.converted.items()]
    if result.applied:
        out.append(f"--fix：自动修改了 {len(result.applied)} 处（只改全角冒号/空格和 Tab 缩进，不改句子内容）：")
    for edit in result.applied:
        out += [f"  {edit.file}:{edit.line}", f"      改前：{shown(edit.before, strip=False)}",
                f"      改后：{shown(edit.after, strip=False)}"]
    out += ["备份："] + [f"  {rel} → {backup.name}" for rel, backup in result.backups.items()]
    out += [f"  跳过 {edit.file}:{edit.line}：这一行在检查之后又被改过了。" for edit in result.skipped]
    return "\n".join(out)


def render_json(report: Report) -> str:
    return json.dumps({
        "project": str(report.root),
        "errors": report.errors,
        "warnings": report.warnings,
        "kinds": [{"code": k.code, "severity": k.severity, "count": k.count, "places": k.places[:SUMMARY_PLACES]}
                  for k in report.kinds],
        "findings": [f.to_json() for f in report.findings],
    }, ensure_ascii=False, indent=2)
