"""The line pass: reads a file line by line (it works even when YAML cannot parse it),
keeps the context a line sits in (the keys above it, an open `examples: |` block) and
collects every finding and the text with every mechanical fix applied.

What a line is checked for lives next door: `keylines` (a `key: value` line), `blocks`
(a line of an `examples: |` block), `indent` (tab / full-width-space indentation)."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

import yaml

from bot.checks.findings import Edit, Finding, error
from bot.checks.source import SourceFile, parse
from bot.checks.yaml_syntax import blocks, indent, keylines
from bot.checks.yaml_syntax.keys import file_kind
from bot.checks.yaml_syntax.text import FW_COLON, FW_SPACE, KEY_RE, LEAD_CHARS, indent_width, leading


class LineLinter:
    """`findings` and `fixed_lines` (every mechanical fix applied) are the result."""

    def __init__(self, source: SourceFile, uniform: Optional[Tuple[int, int]] = None):
        self.uniform = uniform  # (tab width, full-width-space width), else guess per line
        self.rel = source.rel
        self.kind = file_kind(source.rel)
        self.lines = source.lines
        self.findings: List[Finding] = []
        self.fixed_lines = list(source.lines)
        self.stack: List[Tuple[int, str]] = []  # (column, canonical key) of the keys above
        self.block: Optional[blocks.Block] = None
        self.levels: List[int] = [0]   # indentation levels seen (for tab fixes)
        self.prev_struct = ""  # the last structural line, fixed ("" before the first)

    def next_content(self, number: int) -> Optional[str]:
        """The first line after line `number` that is neither blank nor a comment."""
        return next((raw for raw in self.lines[number:]
                     if raw.strip(LEAD_CHARS)[:1] not in ("", "#")), None)

    def run(self) -> "LineLinter":
        for number, raw in enumerate(self.lines, 1):
            if not raw.strip(LEAD_CHARS) and ("\t" in raw or FW_SPACE in raw):
                # a blank line holding a tab or a full-width space stops YAML too
                self.finish_line(number, raw, "",
                                 [indent.finding(self.rel, number, raw, blank=True)])
                continue
            if self.block is not None:
                if blocks.continues(self.block, raw):
                    blocks.block_line(self, number, raw)
                    continue
                blocks.block_ended(self, number, raw)
                self.block = None
            self._struct_line(number, raw)
        return self

    def _struct_line(self, number: int, raw: str) -> None:
        lead, rest = leading(raw), raw.lstrip(LEAD_CHARS)
        if not rest:
            return
        if rest.startswith("#"):
            if "\t" in lead or FW_SPACE in lead:  # a comment's indentation means nothing
                nxt = leading(self.next_content(number) or "")
                width = 0 if "\t" in nxt or FW_SPACE in nxt else len(nxt)
                self.finish_line(number, raw, " " * width + rest,
                                 [indent.finding(self.rel, number, lead)])
            return
        line = raw
        findings: List[Finding] = []
        if "\t" in lead or FW_SPACE in lead:
            width = indent_width(lead, *self.uniform) if self.uniform else indent.guess(self, raw, lead)
            line = " " * width + rest
            findings.append(indent.finding(self.rel, number, lead))
        # `-　xxx`: a full-width space after a list dash
        dash_fw = re.match(r"^( *(?:-[ ]+)*)-\u3000+", line)
        if dash_fw:
            line = dash_fw.group(1) + "- " + line[dash_fw.end():]
            findings.append(error(
                "yaml.fullwidth_space", self.rel, number,
                "'-' 后面是全角空格（　），YAML 需要英文的 '- '（减号加半角空格）。",
                "把 '-' 后面的全角空格换成一个半角空格。"))
        match = KEY_RE.match(line)
        if match:
            line = keylines.key_line(self, number, match, findings)
        elif FW_COLON in line and "{" in line:
            line = keylines.flow_keys(self, number, line, findings)
        self.prev_struct = line
        m = KEY_RE.match(line)  # its indentation and its key's column (after `- `) are levels
        levels = {len(line) - len(line.lstrip(" ")), m.end("dash") if m else 0}
        self.levels = sorted(set(self.levels) | levels)
        self.finish_line(number, raw, line, findings)

    def finish_line(self, number: int, raw: str, line: str, findings: List[Finding]) -> None:
        if line != raw:
            self.fixed_lines[number - 1] = line
            edit = Edit(self.rel, number, raw, line)
            for finding in findings:
                finding.edits.append(edit)
        self.findings.extend(findings)


def _parses(lines: List[str]) -> bool:
    try:
        parse("\n".join(lines) + "\n")
    except yaml.YAMLError:
        return False
    return True


def lint_lines(source: SourceFile) -> LineLinter:
    """Line mistakes of one file; `fixed_lines` has every mechanical fix applied.

    Tab/full-width-space indentation is first guessed line by line from the lines
    around it (right for one stray tab among spaces). When that does not give a file
    YAML can read, every tab is expanded to the same width instead (right for a file
    indented with tabs throughout), trying the widths editors use."""
    result = LineLinter(source).run()
    indented = any(leading(raw) != leading(raw).replace("\t", "").replace(FW_SPACE, "")
                   for raw in source.lines if raw.strip(LEAD_CHARS))
    if indented and not _parses(result.fixed_lines):
        alternatives = (LineLinter(source, widths).run() for widths in indent.UNIFORM_WIDTHS)
        result = next((alt for alt in alternatives if _parses(alt.fixed_lines)), result)
    result.findings = indent.merge(result.findings)
    return result
