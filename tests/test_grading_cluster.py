"""`dxm grade --cluster` on a real Dask cluster (issue 11): the same reports as the local
pool; a worker killed in the middle of a project and that project graded by another; a
cluster gone in the middle of a class: a Chinese error, the finished project kept, and a
rerun (local pool, engine not even imported) grading only the missing one.

Cost: a class of two small projects (bench/make_class.py's 删减到50% and 删减到30%),
trained five or six times in all (about 4 minutes of CPU): twice each for the identical
reports (the model cache emptied in between: both runs cold), two to three times for
the killed worker; the lost-cluster test reuses the first test's models.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from bot import processes
from bot.exit_codes import EXIT_FAILED, EXIT_OK
from bot.grading.cluster import free_port
from bot.project import REFERENCE_ROOT

sys.path.insert(0, str(REFERENCE_ROOT))
from bench.make_class import make_class  # noqa: E402

pytestmark = pytest.mark.slow

SMALL = Path(__file__).resolve().parent / "fixtures" / "grading" / "small_bank.csv"
ENGINE_ABSENT = ("import sys; from bot.cli import main; code = main(sys.argv[1:]); "
                 "assert 'distributed' not in sys.modules, 'the engine was imported'; sys.exit(code)")


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class") / "class"
    made = make_class(folder, 4, seed=7, zips=0)
    for big in made[:2]:  # the full reference and its 70 %: the slowest trainings
        shutil.rmtree(big)
    return folder


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


def grade_command(class_dir, out, models, *extra):
    return [sys.executable, "-m", "bot", "grade", str(class_dir), "--bank", str(SMALL), "--out", str(out),
            "--model-cache", str(models), "--timeout", "3600", *map(str, extra)]


def run(command):
    return subprocess.run(command, cwd=REFERENCE_ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=1200)


# The shop's orders are dated from the moment they are seeded (a fresh database per
# project), so replies name dates and times that move with the clock.
CLOCK = re.compile(r"\d+月\d+日|\d{1,2}:\d{2}")


def comparable(out: Path) -> dict:
    """report.json without timings, class.csv and index.html of a graded class."""
    found = {}
    for path in sorted(out.glob("*/report.json")):
        data = json.loads(path.read_text("utf-8"))
        data.pop("timings")
        data.pop("generated_at")
        found[path.relative_to(out).as_posix()] = CLOCK.sub("…", json.dumps(data, ensure_ascii=False))
    for name in ("class.csv", "index.html"):
        found[name] = (out / name).read_text("utf-8")
    return found


def rows(out: Path) -> list:
    with open(out / "class.csv", encoding="utf-8-sig") as f:
        return list(csv.reader(f))[1:]


class Cluster:
    """The lab's two commands (README), on this machine."""

    def __init__(self, workers: int) -> None:
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        module = [sys.executable, "-m", "bot.grading.cluster"]
        self.scheduler = subprocess.Popen(module + ["scheduler", "--port", str(port)], cwd=REFERENCE_ROOT,
                                          stdout=subprocess.DEVNULL, **processes.own_group())
        self.workers = subprocess.Popen(module + ["worker", self.address, "--nworkers", str(workers)],
                                        cwd=REFERENCE_ROOT, stdout=subprocess.DEVNULL, **processes.own_group())

    def stop(self) -> None:
        for process in (self.workers, self.scheduler):
            for child in psutil.Process(process.pid).children(recursive=True) if process.poll() is None else []:
                child.kill()
            if process.poll() is None:
                processes.kill_tree(process)


def test_cluster_reports_equal_the_local_pool(small_class, models, tmp_path):
    local = run(grade_command(small_class, tmp_path / "local", models, "--jobs", 2))
    assert local.returncode == EXIT_OK, local.stdout + local.stderr
    shutil.rmtree(models)  # the cluster trains every project too
    cluster = run(grade_command(small_class, tmp_path / "cluster", models, "--cluster", "local:2"))
    assert cluster.returncode == EXIT_OK, cluster.stdout + cluster.stderr

    # The progress line names the worker that graded the project.
    assert len([line for line in local.stdout.splitlines() if "：完成（" in line and "评分进程 " in line]) == 2
    assert len([line for line in cluster.stdout.splitlines() if "：完成（" in line and "评分机 " in line]) == 2
    assert comparable(tmp_path / "local") == comparable(tmp_path / "cluster")
    assert all(json.loads(p.read_text("utf-8"))["model"]["reused"] is False
               for p in (tmp_path / "cluster").glob("*/report.json"))


def test_a_killed_worker_s_project_is_graded_by_another(small_class, tmp_path):
    from distributed import Client

    cluster = Cluster(workers=2)
    try:
        grading = subprocess.Popen(grade_command(small_class, tmp_path / "out", tmp_path / "models",
                                                 "--cluster", cluster.address),
                                   cwd=REFERENCE_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, encoding="utf-8")
        with Client(cluster.address, timeout=60) as client:
            deadline = time.monotonic() + 300
            victim = None
            while victim is None and time.monotonic() < deadline:
                busy = [worker for worker, tasks in client.processing().items() if tasks]
                # A grading process under the Dask worker: the project is being graded.
                pids = client.run(os.getpid, workers=busy) if busy else {}
                graders = {w: [c for c in psutil.Process(pid).children() if "bot.grading.worker" in c.cmdline()]
                           for w, pid in pids.items()}
                victim = next((w for w, found in graders.items() if found), None)
                time.sleep(1)
            assert victim, "no worker started grading within 5 minutes"
            time.sleep(15)  # well into the project: reading its data, training
            grader = graders[victim][0]
            psutil.Process(pids[victim]).kill()
        output, _ = grading.communicate(timeout=1200)
        assert grading.returncode == EXIT_OK, output
        assert [row[1] for row in rows(tmp_path / "out")] == ["完成", "完成"], output
        # The killed worker's grading process did not go on training for nobody.
        grader.wait(timeout=30)
    finally:
        cluster.stop()


def test_a_lost_cluster_keeps_what_was_graded_and_a_rerun_grades_the_rest(small_class, models, tmp_path):
    out = tmp_path / "out"
    cluster = Cluster(workers=1)  # one project after the other
    try:
        grading = subprocess.Popen(grade_command(small_class, out, models, "--cluster", cluster.address),
                                   cwd=REFERENCE_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, encoding="utf-8")
        seen = []
        for line in grading.stdout:
            seen.append(line)
            if line.startswith("[1/2]"):
                cluster.stop()  # the whole cluster, while the second project is graded
                break
        seen += grading.stdout.readlines()
        grading.wait(timeout=300)
    finally:
        cluster.stop()
    output = "".join(seen)
    assert grading.returncode == EXIT_FAILED, output
    assert "评分集群" in output and "断开了" in output and "已经评完的项目已保存" in output, output
    assert len(list((out / ".finished").glob("*.json"))) == 1

    rerun = run([sys.executable, "-c", ENGINE_ABSENT] + grade_command(small_class, out, models)[3:])
    assert rerun.returncode == EXIT_OK, rerun.stdout + rerun.stderr
    assert "复用上次已评完的 1 个项目" in rerun.stdout and "这次只评剩下的 1 个" in rerun.stdout, rerun.stdout
    assert [line for line in rerun.stdout.splitlines() if line.startswith("[")][0].startswith("[1/1]")
    assert [row[1] for row in rows(out)] == ["完成", "完成"]
