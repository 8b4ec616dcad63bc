"""Runs every check on a project and collects all findings (never stops at the first)."""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from bot.answer_rules import AnswerRules
from bot.checks import answers, catalog, components, examples, rasa_validate, structure
from bot.checks.findings import ERROR, Finding, warning
from bot.checks.model import Model, load
from bot.grading.rubric import load_rubric


@dataclass
class Report:
    root: Path
    findings: List[Finding]
    model: Model
    rasa: Optional[rasa_validate.RasaResult] = None
    notes: List[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def kinds(self) -> List["Kind"]:
        """The report's summary: findings grouped by kind, errors first, then the most
        frequent (ties keep report order)."""
        grouped: Dict[Tuple[str, str], Kind] = {}
        for f in self.findings:
            kind = grouped.setdefault((f.code, f.severity), Kind(f.code, f.severity, f.message))
            kind.count += 1
            if f.where not in kind.places:
                kind.places.append(f.where)
        return sorted(grouped.values(), key=lambda k: (k.severity != ERROR, -k.count))


@dataclass
class Kind:  # one code at one severity
    code: str
    severity: str
    example: str         # the first finding's message
    count: int = 0
    places: List[str] = field(default_factory=list)  # Finding.where, each once, in report order


def _guarded(name: str, check: Callable[[], List[Finding]]) -> List[Finding]:
    """A bug in one check must not hide the findings of the others."""
    try:
        return check()
    except Exception:  # noqa: BLE001 - reported to the user, with the traceback
        return [warning("internal", None, None,
                        f"检查“{name}”时程序出错了，这一项没有检查完（不是你的数据的问题）。",
                        "请把 --verbose 的输出发给老师。", original=traceback.format_exc())]


def _sort(report: Report) -> None:
    order = {rel: i for i, rel in enumerate(report.model.files)}
    report.findings.sort(key=lambda f: (-1 if f.file is None else order.get(f.file, len(order)),
                                        f.file or "", 0 if f.is_error else 1, f.line or 0))


def run_checks(root: Path, rasa: bool = True, rules: Optional[AnswerRules] = None) -> Report:
    """All checks; `rules` default to the course rubric's (bank/rubric.yml), a broken
    rubric raises RubricError (a usage error of the command, not the student's mistake)."""
    if rules is None:
        rules = load_rubric().answers
    model = load(root)
    report = Report(root, list(model.findings), model)
    # (the name shown if the check itself crashes, the check)
    for name, check in [("意图和答案的对应关系", lambda: structure.check(model)),
                        ("例句", lambda: examples.check(model)),
                        ("答案话术", lambda: answers.check(model, rules)),
                        ("商品目录", lambda: catalog.check(model, rules)),
                        ("训练配置的组件", lambda: components.check(model))]:
        report.findings += _guarded(name, check)
    if model.unreadable:
        report.notes.append("有文件读不下去，依赖它的检查（例如“意图有没有例句/答案”）暂时跳过了；"
                            "改好格式错误后请再运行一次。")
    if rasa:
        add_rasa(report)
    _sort(report)
    return report


def rasa_blocker(report: Report) -> Optional[str]:
    """Why Rasa's own check cannot run on this project (Chinese), or None."""
    if report.model.missing:
        return "项目缺少必需的文件（或者它是文件夹、坏链接）"
    if any(f.code.startswith("project.") for f in report.findings):
        return "项目里有链接、过大或读不了的文件（Rasa 会跟着链接重复读取，或者读得很慢）"
    if any(f.is_error and f.code.startswith("encoding.") for f in report.findings):
        return "有文件不是 UTF-8 编码，Rasa 读不了（GBK 等编码可以用 --fix 转换）"
    return None


def can_run_rasa(report: Report) -> bool:
    return rasa_blocker(report) is None


def add_rasa(report: Report) -> None:
    """Check 6 (`rasa data validate`, 15–25 s), merged into the report."""
    if blocker := rasa_blocker(report):
        report.notes.append(f"{blocker}，没有运行 Rasa 自带的数据检查；先改正上面的错误，再检查一次。")
        return

    def run() -> List[Finding]:
        report.rasa = rasa_validate.check(report.model, report.findings)
        return report.rasa.findings
    report.findings += _guarded("Rasa 自带的数据检查", run)
    _sort(report)
