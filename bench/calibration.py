"""Calibration: does the practice bank tell a student what the blind bank (real shoppers) would?

Makes student-style variants of the reference (bench/make_class.py: examples thinned,
intents renamed or merged, rules missing, fresh workspaces; the broken and the
exam-copying projects are left out), grades the class with `python -m bot grade`
once with the practice bank and once with the blind bank (the second run reuses
the trained models), and prints per project the after-sales coverage on both, the
rank correlation (Spearman) and the mean gap (practice − blind).

    .venv/bin/python bench/calibration.py [--count 16] [--seed 7] [--jobs 2]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_class import make_class  # noqa: E402

# Variants that are not a measure of understanding: broken projects and copied exams.
LEFT_OUT = ("YAML写错", "缺domain", "组件名写错", "抄了考题")


def coverage(out: Path) -> Dict[str, float]:
    """project name -> share of after-sales questions covered, from each report.json."""
    result = {}
    for report_file in sorted(out.glob("*/report.json")):
        report = json.loads(report_file.read_text("utf-8"))
        cats = report["categories"].values()
        total = sum(c["total"] for c in cats)
        if report["status"] == "ok" and total:
            result[report["project"]["name"]] = sum(c["covered"] for c in cats) / total
    return result


def grade(klass: Path, bank: str, out: Path, jobs: int) -> Dict[str, float]:
    subprocess.run([sys.executable, "-m", "bot", "grade", str(klass), "--bank", str(ROOT / bank),
                    "--out", str(out), "--jobs", str(jobs)], cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL)
    return coverage(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from scipy.stats import spearmanr

    with tempfile.TemporaryDirectory() as tmp:
        klass = Path(tmp) / "class"
        made = make_class(klass, args.count + len(LEFT_OUT), args.seed, zips=0)
        for project in made:
            if any(word in project.name for word in LEFT_OUT):
                shutil.rmtree(project)
        print(f"{sum(1 for _ in klass.iterdir())} 个学生式项目，评两次（练习题库、盲测题库）……", flush=True)
        practice = grade(klass, "bank/practice.csv", Path(tmp) / "practice", args.jobs)
        blind = grade(klass, "bank/blind.csv", Path(tmp) / "blind", args.jobs)
    names = sorted(set(practice) & set(blind))
    print("\n| 项目 | 练习题库覆盖率 | 盲测题库覆盖率 | 差 |\n| --- | ---: | ---: | ---: |")
    for name in names:
        print(f"| {name} | {practice[name]:.1%} | {blind[name]:.1%} | {practice[name] - blind[name]:+.1%} |")
    rho = spearmanr([practice[n] for n in names], [blind[n] for n in names]).correlation
    gap = statistics.mean(practice[n] - blind[n] for n in names)
    print(f"\n{len(names)} 个项目：等级相关（Spearman）{rho:.2f}，平均差（练习 − 盲测）{gap:+.1%}")


if __name__ == "__main__":
    main()
