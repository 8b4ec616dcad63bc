"""The one environment every Python subprocess of ours gets."""
import os
import subprocess
import sys

from bot.processes import python_environment
from bot.project import REFERENCE_ROOT


def test_the_path_lists_code_first_then_the_reference_then_what_was_inherited(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "inherited")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")  # what Rasa leaves in os.environ
    env = python_environment([tmp_path], LOG_LEVEL=None, SHOP_DIR="shop")
    assert env["PYTHONPATH"].split(os.pathsep) == [str(tmp_path), str(REFERENCE_ROOT), "inherited"]
    assert "LOG_LEVEL" not in env and env["SHOP_DIR"] == "shop"
    assert env["PYTHONIOENCODING"] == "utf-8" and env["RASA_TELEMETRY_ENABLED"] == "false"


def test_a_child_finds_the_reference_code_and_our_package(tmp_path):
    code = "import actions.store, bot.processes, sys; print(sys.stdout.encoding)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=python_environment(),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "utf-8", out.stderr


def test_grading_workers_do_not_inherit_the_dask_nannys_malloc_trimming(monkeypatch):
    """Under a Dask worker, MALLOC_TRIM_THRESHOLD_=65536 made every training cost a third more CPU."""
    from bot.grading.pool import worker_environment

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    env = worker_environment()
    assert "MALLOC_TRIM_THRESHOLD_" not in env
    assert env["OMP_NUM_THREADS"] == "1"


def test_the_grading_worker_starts_without_the_reference_components(tmp_path):
    """The worker puts a student's code first on sys.path before it trains
    (--allow-student-code): a 'components' package imported before that is the
    reference's, and the student's would silently never run."""
    code = ("import sys, bot.grading.worker, bot.project, bot.training; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('components', 'actions')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=python_environment(),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr or out.stdout
