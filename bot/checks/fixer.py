"""`--fix`: apply the safe mechanical edits of check 1, after a backup of each file.

Only edits attached to findings are applied: full-width colons/spaces used as YAML
syntax and tabs used as indentation. Each edit replaces one whole line and says what
it expects to find there; a line that changed since the check is left alone. Files
saved as GBK, UTF-16 or UTF-8 with a BOM are rewritten as UTF-8 (their text unchanged).
Every file --fix writes is plain UTF-8 and keeps its line endings.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from bot.checks.encoding import CONVERT
from bot.checks.findings import Edit, Finding
from bot.checks.source import SourceFile

FIXABLE = {"yaml.fullwidth_colon", "yaml.fullwidth_space", "yaml.tab"}


@dataclass
class FixResult:
    applied: List[Edit]
    backups: Dict[str, Path]       # relative file -> its backup
    skipped: List[Edit]
    converted: Dict[str, str] = field(default_factory=dict)  # relative file -> encoding it had


def fixable_edits(findings: List[Finding]) -> List[Edit]:
    """One edit per (file, line), in file order."""
    edits: Dict[tuple, Edit] = {}
    for edit in (e for f in findings if f.code in FIXABLE for e in f.edits):
        edits.setdefault((edit.file, edit.line), edit)
    return [edits[k] for k in sorted(edits)]


def files_to_convert(findings: List[Finding]) -> List[str]:
    """Files saved in an encoding other than plain UTF-8."""
    return sorted({f.file for f in findings if f.code in CONVERT and f.file})


def backup_path(path: Path, stamp: str) -> Path:
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    return candidate


def apply(root: Path, edits: List[Edit], convert: Iterable[str] = (),
          stamp: Optional[str] = None) -> FixResult:
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    result = FixResult([], {}, [])
    convert = set(convert)
    by_file: Dict[str, List[Edit]] = {rel: [] for rel in sorted(convert)}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    for rel, file_edits in by_file.items():
        path = root / rel
        source = SourceFile.read(path, root)
        lines = list(source.lines)
        applied = []
        for edit in file_edits:
            (applied if source.line(edit.line) == edit.before else result.skipped).append(edit)
        for edit in applied:
            lines[edit.line - 1] = edit.after
        converting = rel in convert and source.decode_error is None
        if not applied and not converting:
            continue
        backup = backup_path(path, stamp)
        shutil.copy2(path, backup)
        result.backups[rel] = backup
        path.write_bytes(source.with_lines(lines).encode("utf-8"))
        if converting:
            result.converted[rel] = source.encoding
        result.applied += applied
    return result
