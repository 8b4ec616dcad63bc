"""End to end through the real CLI: a real model is trained, the real action server
answers, the reports are written; a class with broken projects still gets every row.

The module shares one model cache: the first test trains the reference (about half a
minute), the class run reuses that model for its copy of the reference.
"""
import csv
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from bot.exit_codes import EXIT_FAILED, EXIT_OK
from bot.project import REFERENCE_ROOT

pytestmark = pytest.mark.slow

SMALL = Path(__file__).resolve().parent / "fixtures" / "grading" / "small_bank.csv"
QUESTION_TEXTS = [row["text"] for row in csv.DictReader(SMALL.open(encoding="utf-8"))]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("grading-models")


def grade(*args):
    return subprocess.run([sys.executable, "-m", "bot", "grade", *map(str, args)], cwd=REFERENCE_ROOT,
                          capture_output=True, text=True, timeout=600)


def copy_reference(target):
    target.mkdir(parents=True)
    for name in ("config.yml", "domain.yml", "endpoints.yml"):
        shutil.copy(REFERENCE_ROOT / name, target / name)
    for folder in ("data", "shop"):
        shutil.copytree(REFERENCE_ROOT / folder, target / folder)
    return target


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory, model_cache):
    """The reference project graded from an empty model cache: a real training."""
    out = tmp_path_factory.mktemp("reference-report")
    return grade(REFERENCE_ROOT, "--bank", SMALL, "--out", out, "--model-cache", model_cache, "--jobs", 1), out


def test_grades_the_reference_project(reference_run, model_cache):
    result, out = reference_run
    assert result.returncode == EXIT_OK, result.stdout + result.stderr

    data = json.loads((out / "report.json").read_text("utf-8"))
    assert data["status"] == "ok" and data["model"]["reused"] is False
    assert list(model_cache.glob("*.tar.gz")) == [Path(data["model"]["path"])]
    for category in ("return", "logistics", "quality"):
        entry = data["categories"][category]
        assert entry["total"] == 3 and entry["covered"] >= 2, (category, entry)
    assert data["negatives"]["total"] == 3 and data["negatives"]["misrouted"] == 0
    failed = [s["name"] for s in data["scenarios"]["items"] if not s["passed"]]
    assert data["scenarios"]["total"] >= 12 and failed == []
    assert data["score"] >= 80
    verdicts = {q["id"]: q for q in data["questions"]}
    assert verdicts["T-R1"]["status"] == "covered" and "订单号" in verdicts["T-R1"]["reply"]
    assert verdicts["T-Q2"]["actions"][:2] == ["utter_quality_apology", "order_form"]

    page = (out / "report.html").read_text("utf-8")
    assert "<svg" in page and "评分报告" in page and "识别率" in page
    assert "## 多轮情景" in (out / "report.md").read_text("utf-8")
    rows = list(csv.reader((out / "class.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 2 and rows[1][1] == "完成"
    # The coverage.py-style table, missing questions right after the figures.
    assert "类别" in result.stdout and "覆盖率" in result.stdout and "得分" in result.stdout
    assert "退换货/退款" in result.stdout and "多轮情景（通过）" in result.stdout


def test_a_class_with_broken_projects_still_gets_every_row(tmp_path, model_cache, reference_run):
    klass = tmp_path / "班级"
    copy_reference(klass / "01_好学生")
    broken = copy_reference(tmp_path / "broken")
    (broken / "data" / "nlu" / "returns.yml").write_text(
        "version: \"3.1\"\nnlu:\n- intent: request_return\n  examples: |\n\t- 我要退货\n", "utf-8")
    with zipfile.ZipFile(klass / "02_坏学生.zip", "w") as archive:
        for path in broken.rglob("*"):
            if path.is_file():
                archive.write(path, Path("作业") / path.relative_to(broken))
    (klass / "03_空文件夹").mkdir()
    out = tmp_path / "out"

    result = grade(klass, "--bank", SMALL, "--out", out, "--model-cache", model_cache,
                   "--student-view", "--fail-under", 50)
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr

    rows = {row[0]: row for row in csv.reader((out / "class.csv").open(encoding="utf-8-sig"))}
    assert set(rows) == {"学生", "01_好学生", "02_坏学生", "03_空文件夹"}
    assert rows["01_好学生"][1] == "完成" and float(rows["01_好学生"][2]) >= 80
    assert rows["02_坏学生"][1] == "出错" and "YAML 格式错误" in rows["02_坏学生"][-1]
    assert rows["03_空文件夹"][1] == "出错" and "不是 Rasa 项目" in rows["03_空文件夹"][-1]

    good = json.loads((out / "01_好学生" / "report.json").read_text("utf-8"))
    assert good["model"]["reused"] is True and good["view"] == "student"
    bad = json.loads((out / "02_坏学生" / "report.json").read_text("utf-8"))
    assert bad["status"] == "error" and "data/nlu/returns.yml（YAML 格式错误（第 5 行附近））" in bad["error"]
    assert bad["hygiene"]["broken_files"][0]["file"] == "data/nlu/returns.yml"
    assert (out / "02_坏学生" / "train.log").exists()
    index = (out / "index.html").read_text("utf-8")
    for name in ("01_好学生", "02_坏学生", "03_空文件夹"):
        assert f"href='{name}/report.html'" in index

    # Files meant for students never show a question of the bank.
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".html", ".md", ".csv", ".log"):
            text = path.read_text("utf-8", errors="replace")
            assert not [q for q in QUESTION_TEXTS if q in text], path


def test_a_project_over_the_time_limit_is_stopped_and_reported(tmp_path, model_cache):
    slow = copy_reference(tmp_path / "班级" / "慢同学")
    nlu = slow / "data" / "nlu" / "returns.yml"
    nlu.write_text(nlu.read_text("utf-8") + "\n", "utf-8")  # new data: it has to train
    (slow / "data" / "nlu" / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: request_return\n  examples: |\n    - 这条是新加的退货问法\n', "utf-8")
    out = tmp_path / "out"
    started = time.monotonic()
    result = grade(tmp_path / "班级", "--bank", SMALL, "--out", out, "--model-cache", model_cache,
                   "--timeout", 3)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    rows = list(csv.reader((out / "class.csv").open(encoding="utf-8-sig")))
    assert rows[1][0] == "慢同学" and rows[1][1] == "出错"
    assert rows[1][-1].startswith("超过时间限制 3 秒仍未完成")
    assert time.monotonic() - started < 60


def test_reading_the_data_runs_in_the_worker_under_the_time_and_memory_limits(tmp_path):
    project = copy_reference(tmp_path / "班级" / "数据很多")
    blocks = "".join(f"- intent: intent_{n}\n  examples: |\n    - 第{n}个问法\n    - 第{n}个说法\n" for n in range(20000))
    (project / "data" / "nlu" / "many.yml").write_text('version: "3.1"\nnlu:\n' + blocks, "utf-8")
    assert 1024 * 1024 < (project / "data" / "nlu" / "many.yml").stat().st_size < 2 * 1024 * 1024  # under the limit

    slow = grade(tmp_path / "班级", "--bank", SMALL, "--out", tmp_path / "slow", "--timeout", 1,
                 "--model-cache", tmp_path / "models")
    assert slow.returncode == EXIT_OK, slow.stdout + slow.stderr
    rows = list(csv.reader((tmp_path / "slow" / "class.csv").open(encoding="utf-8-sig")))
    assert rows[1][-1] == "超过时间限制 1 秒仍未完成（停在“检查数据”），已停止。"

    grade(tmp_path / "班级", "--bank", SMALL, "--out", tmp_path / "heavy", "--max-memory", 100,
                  "--model-cache", tmp_path / "models")
    rows = list(csv.reader((tmp_path / "heavy" / "class.csv").open(encoding="utf-8-sig")))
    assert rows[1][-1].startswith("内存超过上限 100 MB（停在“"), rows


def test_student_python_runs_only_when_allowed(tmp_path, model_cache, reference_run):
    student = copy_reference(tmp_path / "学生")
    shutil.copytree(REFERENCE_ROOT / "components", student / "components")
    (student / "components" / "shop_entities.py").write_text(
        "raise RuntimeError('学生的代码被执行了')\n", "utf-8")

    safe = grade(student, "--bank", SMALL, "--out", tmp_path / "safe", "--model-cache", model_cache)
    assert safe.returncode == EXIT_OK, safe.stdout + safe.stderr
    report = json.loads((tmp_path / "safe" / "report.json").read_text("utf-8"))
    assert report["status"] == "ok" and report["model"]["reused"] is True  # the reference's components

    grade(student, "--bank", SMALL, "--out", tmp_path / "allowed", "--model-cache", model_cache,
                    "--allow-student-code")
    report = json.loads((tmp_path / "allowed" / "report.json").read_text("utf-8"))
    assert report["status"] == "error"
    assert "学生的代码被执行了" in (tmp_path / "allowed" / "train.log").read_text("utf-8")


def test_grading_on_chinese_consoles_with_an_excel_bank(tmp_path, model_cache, reference_run, chinese_console):
    """A teacher on a Chinese Windows PC: GBK console, a bank saved by Excel as GBK with
    CRLF, a class folder with a Chinese name (sent to the workers as JSON)."""
    student = copy_reference(chinese_console.path(tmp_path, "电商一班", "张三"))
    bank = chinese_console.path(tmp_path, "题库.csv")
    bank.write_bytes(SMALL.read_text("utf-8").replace("\n", "\r\n").encode("gbk"))
    out = chinese_console.path(tmp_path, "报告")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "grade", str(student), "--bank", str(bank), "--out", str(out),
         "--model-cache", str(model_cache)],
        cwd=REFERENCE_ROOT, env=chinese_console.env, capture_output=True, timeout=600)
    stdout = result.stdout.decode(chinese_console.encoding)   # strict: valid in the console's encoding
    assert result.returncode == EXIT_OK, stdout + result.stderr.decode(chinese_console.encoding, "replace")
    assert re.search(r"题库 \d+ 题（题库.csv \d+ 题，GBK）", stdout), stdout
    assert "覆盖率" in stdout and "退换货/退款" in stdout
    data = json.loads((out / "report.json").read_text("utf-8"))
    assert data["status"] == "ok" and data["model"]["reused"] is True
    assert data["project"]["name"] == "张三" and data["score"] >= 80
