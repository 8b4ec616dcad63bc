"""Runs every check on a project and collects all findings (never stops at the first)."""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

from bot.checks import answers, catalog, examples, rasa_validate, structure
from bot.checks.findings import Finding, counts, error, warning
from bot.checks.model import Model, load

# (name shown if the check itself crashes, the check)
STATIC_CHECKS: List[tuple] = [
    ("意图和答案的对应关系", structure.check),
    ("例句", examples.check),
    ("答案话术", answers.check),
    ("商品目录", catalog.check),
]


@dataclass
class Report:
    root: Path
    findings: List[Finding]
    model: Model
    rasa: Optional[rasa_validate.RasaResult] = None
    notes: List[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return counts(self.findings)[0]

    @property
    def warnings(self) -> int:
        return counts(self.findings)[1]


def _guarded(name: str, check: Callable[[], List[Finding]]) -> List[Finding]:
    """A bug in one check must not hide the findings of the others."""
    try:
        return check()
    except Exception:  # noqa: BLE001 - reported to the user, with the traceback
        return [warning("internal", None, None,
                        f"检查“{name}”时程序出错了，这一项没有检查完（不是你的数据的问题）。",
                        "请把 --verbose 的输出发给老师。", original=traceback.format_exc())]


def sort_key(model: Model) -> Callable[[Finding], tuple]:
    order = {rel: i for i, rel in enumerate(model.files)}

    def key(f: Finding) -> tuple:
        file_rank = -1 if f.file is None else order.get(f.file, len(order))
        return (file_rank, f.file or "", 0 if f.is_error else 1, f.line or 0)
    return key


def run_checks(root: Path, rasa: bool = True) -> Report:
    model = load(root)
    findings: List[Finding] = []
    for name in model.missing:
        findings.append(error(
            "project.missing", None, None, f"项目里缺少 {name}：Rasa 没有它就无法训练。",
            f"从参考项目复制一份 {name} 到项目目录。"))
    findings += model.findings
    for name, check in STATIC_CHECKS:
        findings += _guarded(name, lambda check=check: check(model))
    report = Report(root, findings, model)
    if model.unreadable:
        report.notes.append("有文件读不下去，依赖它的检查（例如“意图有没有例句/答案”）暂时跳过了；"
                            "改好格式错误后请再运行一次。")
    if rasa:
        add_rasa(report)
    report.findings.sort(key=sort_key(model))
    return report


def _not_utf8(report: Report) -> bool:
    return any(f.is_error and f.code.startswith("encoding.") for f in report.findings)


def can_run_rasa(report: Report) -> bool:
    return not report.model.missing and not _not_utf8(report)


def add_rasa(report: Report) -> None:
    """Check 6 (`rasa data validate`, 15–25 s), merged into the report."""
    if report.model.missing:
        report.notes.append("项目缺少必需的文件，没有运行 Rasa 自带的数据检查。")
        return
    if _not_utf8(report):
        report.notes.append("有文件不是 UTF-8 编码，Rasa 读不了，所以没有运行 Rasa 自带的数据检查："
                            "先按上面的说明改好（GBK 等编码可以用 --fix 转换），再检查一次。")
        return

    def run() -> List[Finding]:
        result = rasa_validate.check(report.model, report.findings)
        report.rasa = result
        return result.findings
    report.findings += _guarded("Rasa 自带的数据检查", run)
    report.findings.sort(key=sort_key(report.model))
