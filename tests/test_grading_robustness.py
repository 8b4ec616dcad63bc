"""The grading part of the standing robustness corpus (issue 7).

An adversarial class, built from a fixed seed by bench/adversarial_class.py (names
that are not UTF-8, links out of a folder submission, a 50 MB data file, a YAML tag, a
student component in config.yml, an empty folder, a zip with a broken member name; a
bank with /restart rows, an unclosed quote and a ragged row), graded in one run of the
real CLI. The run finishes; every submission has its row, with a Chinese reason when it
could not be graded; the planted outside files never show in any output and nothing
appears or changes outside --out and the model cache; no process of the run holds more
than MEMORY_BOUND_MB of resident memory (README states the bound).

Cost: one project trains (the one with the names that are not UTF-8); the others are
refused before any work or fail at Rasa's first reading of their files.
"""
import json
import os
import sys
from pathlib import Path

import pytest

from bot.exit_codes import EXIT_NO_QUESTIONS, EXIT_OK
from bot.project_files import read_training_data
from bot.project import REFERENCE_ROOT

sys.path.insert(0, str(REFERENCE_ROOT))
from bench.adversarial_class import (CJK, class_rows, make_class, measured_grade, named_lines,  # noqa: E402
                                     outputs_text, shown)

pytestmark = pytest.mark.slow

MEMORY_BOUND_MB = 2048   # the largest process of the run (a worker training: about 1 GB)
REASONS = {
    "01_链接到外面": "是指向项目外面的链接，已拒绝评分",
    "03_大文件": "超过单个数据文件的上限 2 MB",
    "04_YAML标签": "YAML 里有不允许的标签 !!python/object/apply:os.system",
    "05_学生组件": "config.yml 用了组件 components.student_hack",
    "06_空文件夹": "不是 Rasa 项目",
    "07_压缩": "标成 UTF-8、其实不是 UTF-8 的文件名",
}


def files_under(folder: Path, skip: set) -> dict:
    """Every file and link under FOLDER (links not followed): size and modification time."""
    found = {}
    for where, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if Path(where, d) not in skip]
        for name in dirs + files:
            info = os.lstat(os.path.join(where, name))
            found[os.path.join(where, name)] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    where = tmp_path_factory.mktemp("adversarial")
    klass = make_class(where)
    out, models = where / "out", where / "models"
    before = files_under(where, {out, models})
    run = measured_grade(REFERENCE_ROOT, [str(klass.folder), "--bank", str(klass.bank), "--out", str(out),
                                          "--model-cache", str(models), "--allow-bad-rows"], timeout=1500)
    return klass, run, out, before, files_under(where, {out, models})


def test_the_run_finishes(graded):
    klass, run, out, _, _ = graded
    assert run["code"] == EXIT_OK, run["stdout"] + run["stderr"]
    assert "Traceback" not in run["stdout"] + run["stderr"]


def test_every_submission_has_its_row_and_a_chinese_reason(graded):
    klass, run, out, _, _ = graded
    rows = class_rows(out)
    assert sorted(rows) == sorted(shown(entry) for entry in klass.entries) == sorted([*REASONS, "02_张三"])
    assert rows["02_张三"][1] == "完成" and float(rows["02_张三"][2]) >= 80, rows["02_张三"]
    for name, reason in REASONS.items():
        assert rows[name][1] == "出错" and CJK.search(rows[name][-1]), rows[name]
        report = json.loads((out / name / "report.json").read_text("utf-8"))
        assert reason in report["error"], report["error"]
    index = (out / "index.html").read_text("utf-8")
    assert all(f"href='{name}/report.html'" in index for name in rows)


def test_the_data_file_whose_name_is_not_utf8_is_graded_and_shown_readably(graded):
    klass, run, out, _, _ = graded
    report = json.loads((out / "02_张三" / "report.json").read_text("utf-8"))
    reference = sum(1 for e in read_training_data(REFERENCE_ROOT)[0] if e.intent == "request_return")
    assert report["hygiene"]["examples_per_intent"]["request_return"] == reference + 4
    places = [place for pair in report["hygiene"]["near_duplicates"] for place in pair["places"]]
    assert "data/nlu/退货.yml:8" in places
    # /restart and /session_start from the bank were asked like any question.
    asked = {q["id"]: q for q in report["questions"]}
    assert asked["X-S1"]["text"] == "/restart" and asked["X-S2"]["text"] == "/session_start"
    assert "X-R1" not in asked and "X-N1" not in asked   # lost with the bad rows (and reported)


def test_nothing_outside_the_submissions_is_read(graded):
    klass, run, out, _, _ = graded
    assert klass.secret not in outputs_text(out)
    assert klass.secret not in run["stdout"] + run["stderr"]


def test_nothing_is_written_outside_the_output_folder(graded):
    klass, run, out, before, after = graded
    assert after == before
    assert sorted(os.listdir(klass.outside)) == ["folder", "secret.yml"]


def test_memory_stays_under_the_bound(graded):
    klass, run, out, _, _ = graded
    assert int(run["peak_kb"]) / 1024 < MEMORY_BOUND_MB, run["peak_kb"]


def test_the_bank_rows_it_lost_are_reported_with_their_lines(graded):
    klass, run, out, _, _ = graded
    assert set(klass.bank_lost_lines) <= named_lines(run["stdout"])


def test_without_allow_bad_rows_the_bank_stops_the_run(graded, tmp_path):
    klass = graded[0]
    run = measured_grade(REFERENCE_ROOT, [str(klass.folder), "--bank", str(klass.bank), "--out", str(tmp_path / "out")],
                         timeout=120)
    assert run["code"] == EXIT_NO_QUESTIONS and "--allow-bad-rows" in run["stderr"]
    assert not (tmp_path / "out").exists()
