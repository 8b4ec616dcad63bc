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
from bot.checks.yaml_syntax.explain import hint_for, parse_failure
from bot.checks.yaml_syntax.linter import lint_lines

SYNTAX_CODES = {"yaml.text_quotes", "yaml.tab", "yaml.fullwidth_colon", "yaml.fullwidth_space",
                "yaml.colon_space", "yaml.examples_pipe", "yaml.example_indent",
                "yaml.fullwidth_pipe", "yaml.missing_dash"}


@dataclass
class ParsedFile:
    source: SourceFile
    kind: str
    tree: Optional[Node]          # None when it does not parse (or is empty)
    ok: bool                      # parsed (maybe after the in-memory mechanical fixes)
    findings: List[Finding]


def check_file(source: SourceFile) -> ParsedFile:
    lint = lint_lines(source)
    findings = encoding.check(source) + lint.findings
    tree: Optional[Node] = None
    failed: Optional[yaml.YAMLError] = None
    try:
        tree = parse(source.text)
    except yaml.YAMLError as exc:
        if isinstance(exc, yaml.reader.ReaderError):  # it only knows the character's offset
            before = source.text[: exc.position]
            line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
            exc.line_column = (line, column)  # type: ignore[attr-defined]
        _explain(exc, lint.findings, source.rel)
        failed = exc
    if lint.fixed_lines != source.lines:
        # it does not parse, or parses but not as meant (`text:　"…"` is one plain string):
        # read what the student meant, so the other checks see the real content
        try:
            tree, failed = parse("\n".join(lint.fixed_lines) + "\n"), None
        except yaml.YAMLError as exc:
            failed = exc if failed is not None else None
    if failed is None:
        return ParsedFile(source, lint.kind, tree, True, findings)
    if not _explain(failed, lint.findings, source.rel):  # else told on the line that caused it
        failure = parse_failure(failed)
        problem = (f"{getattr(failed, 'context', '') or ''} "
                   f"{getattr(failed, 'problem', '') or failed}")
        line, advice = hint_for(failure, lint.fixed_lines, problem)
        findings.append(error(
            "yaml.parse", source.rel, line,
            f"YAML 格式错误，整个文件读不下去：{failure.describe()}。",
            advice, column=failure.column if line == failure.line else None,
            original=failure.original.replace("<unicode string>", source.rel)))
    return ParsedFile(source, lint.kind, None, False, findings)


def _explain(exc: yaml.YAMLError, findings: List[Finding], rel: str) -> bool:
    """Attach the parser's words to the line mistake that caused `exc`, if any: the
    closest one above the parser's error, within a few lines."""
    failure = parse_failure(exc)
    low = min(failure.context_line or failure.line, failure.line - 3)
    near = [f for f in findings if f.code in SYNTAX_CODES and f.line is not None
            and low <= f.line <= failure.line and f.is_error]
    culprit = max(near, key=lambda f: f.line, default=None)
    if culprit is None:
        return False
    if not culprit.original:  # not explained yet
        culprit.message += f"（因为这个错误，整个文件读不下去：YAML 在{failure.describe()}。）"
        culprit.original = failure.original.replace("<unicode string>", rel)
    return True
