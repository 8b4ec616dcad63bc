"""`--fix`: apply the safe mechanical edits of check 1, after a backup of each file.

Only edits attached to findings are applied: full-width colons/spaces used as YAML
syntax and tabs used as indentation. Each edit replaces one whole line and says what
it expects to find there; a line that changed since the check is left alone.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from bot.checks.findings import Edit, Finding
from bot.checks.source import SourceFile

FIXABLE = {"yaml.fullwidth_colon", "yaml.fullwidth_space", "yaml.tab"}


@dataclass
class FixResult:
    applied: List[Edit]
    backups: Dict[str, Path]       # relative file -> its backup
    skipped: List[Edit]


def fixable_edits(findings: List[Finding]) -> List[Edit]:
    """One edit per (file, line), in file order."""
    edits: Dict[tuple, Edit] = {}
    for finding in findings:
        if finding.code not in FIXABLE:
            continue
        for edit in finding.edits:
            edits.setdefault((edit.file, edit.line), edit)
    return [edits[k] for k in sorted(edits)]


def backup_path(path: Path, stamp: str) -> Path:
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    return candidate


def apply(root: Path, edits: List[Edit], stamp: Optional[str] = None) -> FixResult:
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    result = FixResult([], {}, [])
    by_file: Dict[str, List[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    for rel, file_edits in by_file.items():
        path = root / rel
        source = SourceFile.read(path, root)
        lines = list(source.lines)
        applied = []
        for edit in file_edits:
            if source.line(edit.line) != edit.before:
                result.skipped.append(edit)
                continue
            lines[edit.line - 1] = edit.after
            applied.append(edit)
        if not applied:
            continue
        backup = backup_path(path, stamp)
        shutil.copy2(path, backup)
        text = source.with_lines(lines)
        data = text.encode("utf-8")
        if source.bom:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        result.backups[rel] = backup
        result.applied += applied
    return result
