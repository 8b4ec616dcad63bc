"""Both passes over one file: the line pass, then PyYAML. When only mechanical mistakes
stop the parse, the tree comes from the fixed text so the other checks still see the
file's data; a parse error is attached to the line mistake that caused it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import yaml

from bot.checks import encoding
from bot.checks.findings import Finding, error
from bot.checks.source import Node, SourceFile, parse
from bot.checks.yaml_syntax.explain import ParseFailure, hint_for, parse_failure
from bot.checks.yaml_syntax.keys import file_kind
from bot.checks.yaml_syntax.linter import lint_lines


SYNTAX_CODES = {"yaml.text_quotes", "yaml.tab", "yaml.fullwidth_colon", "yaml.fullwidth_space", "yaml.colon_space",
                "yaml.examples_pipe", "yaml.example_indent", "yaml.fullwidth_pipe",
                "yaml.missing_dash"}


@dataclass
class ParsedFile:
    source: SourceFile
    kind: str
    tree: Optional[Node]          # None when it does not parse (or is empty)
    ok: bool                      # parsed (maybe after the in-memory mechanical fixes)
    findings: List[Finding]


def check_file(source: SourceFile) -> ParsedFile:
    """Line lint + parse of one file. When only mechanical mistakes stop the parse, the
    tree comes from the fixed text so the other checks still see the file's data."""
    kind = file_kind(source.rel)
    findings: List[Finding] = encoding.check(source)
    lint = lint_lines(source)
    findings += lint.findings
    tree: Optional[Node] = None
    ok = True
    try:
        tree = parse(source.text)
        if lint.fixed_lines != source.lines:
            # it parses, but not as meant (`text:　"…"` is one plain string): read
            # what the student meant, so the other checks see the real content
            try:
                tree = parse("\n".join(lint.fixed_lines) + "\n")
            except yaml.YAMLError:
                pass
    except yaml.YAMLError as exc:
        _locate_reader_error(exc, source.text)
        remaining: Optional[yaml.YAMLError] = exc
        _explain(exc, lint.findings, source.rel)
        if lint.fixed_lines != source.lines:
            try:
                tree = parse("\n".join(lint.fixed_lines) + "\n")
                remaining = None
            except yaml.YAMLError as exc2:
                remaining = exc2
        if remaining is not None:
            ok, tree = False, None
            if remaining is exc and _culprit(lint.findings, parse_failure(exc)) is not None:
                pass  # already explained on the line that caused it
            elif not _explain(remaining, lint.findings, source.rel):
                failure = parse_failure(remaining)
                line, advice = hint_for(failure, lint.fixed_lines, _problem_text(remaining))
                findings.append(error(
                    "yaml.parse", source.rel, line,
                    f"YAML 格式错误，整个文件读不下去：{failure.describe()}。",
                    advice, column=failure.column if line == failure.line else None,
                    original=failure.original.replace("<unicode string>", source.rel)))
    return ParsedFile(source, kind, tree, ok, findings)


def _locate_reader_error(exc: yaml.YAMLError, text: str) -> None:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        exc.line_column = (before.count("\n") + 1, len(before) - before.rfind("\n"))  # type: ignore[attr-defined]


def _problem_text(exc: yaml.YAMLError) -> str:
    return f"{getattr(exc, 'context', '') or ''} {getattr(exc, 'problem', '') or exc}"


def _explain(exc: yaml.YAMLError, findings: List[Finding], rel: str = "") -> bool:
    """Attach the parser's words to the line mistake that caused `exc`, if any."""
    failure = parse_failure(exc)
    culprit = _culprit(findings, failure)
    if culprit is None:
        return False
    if not culprit.original:  # not explained yet
        culprit.message += f"（因为这个错误，整个文件读不下去：YAML 在{failure.describe()}。）"
        culprit.original = failure.original.replace("<unicode string>", rel or "<unicode string>")
    return True


def _culprit(findings: List[Finding], failure: ParseFailure) -> Optional[Finding]:
    """The line mistake closest above the parser's error, within a few lines."""
    low = min(failure.context_line or failure.line, failure.line - 3)
    best = None
    for finding in findings:
        if finding.code in SYNTAX_CODES and finding.line is not None \
                and low <= finding.line <= failure.line and finding.is_error:
            if best is None or finding.line > best.line:
                best = finding
    return best
