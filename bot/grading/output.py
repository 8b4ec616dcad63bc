"""Which file each rendering of report.json goes to (the terminal table is terminal.py's)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from bot.grading import classcsv, html, markdown


def write_project(report: Dict[str, Any], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    (folder / "report.md").write_text(markdown.render_markdown(report), "utf-8")
    (folder / "report.html").write_text(html.render_report(report), "utf-8")


def write_class(graded: List[Any], out: Path, single: bool) -> Path:
    """class.csv (also for one project) and, for a class, index.html; the main file."""
    classcsv.write_class_csv([g.report for g in graded], out / "class.csv")
    if single:
        return out / "report.html"
    (out / "index.html").write_text(html.render_index([(g.folder, g.report) for g in graded]), "utf-8")
    return out / "index.html"
