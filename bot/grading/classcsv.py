"""class.csv: one row per project, UTF-8 with a BOM so that Excel opens it."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Dict, List

from bot.grading.wording import CLASS_COLUMNS, class_row


def _blank_if_none(value: Any) -> Any:
    return "" if value is None else value


def csv_row(report: Dict[str, Any]) -> List[Any]:
    row = class_row(report)
    return ([row["name"], "出错" if row["failed"] else "完成", _blank_if_none(row["score"])]
            + ["N/A" if value is None else round(value * 100, 1) for value in row["coverage"]]
            + [row["negatives"], row["misrouted"], row["scenarios_passed"], row["scenarios"],
               row["data_findings"], row["answer_findings"], row["leaks"],
               _blank_if_none(row["checker_errors"]), _blank_if_none(row["checker_warnings"]), row["error"]])


def write_class_csv(reports: List[Dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CLASS_COLUMNS)
        writer.writerows(csv_row(report) for report in reports)
