"""start.py: the one command students run (the venv is already built when tests run)."""
import importlib.util
import subprocess
import sys
from pathlib import Path

from bot.project import REFERENCE_ROOT

spec = importlib.util.spec_from_file_location("start", REFERENCE_ROOT / "start.py")
start = importlib.util.module_from_spec(spec)
spec.loader.exec_module(start)


def test_finds_a_python_rasa_supports():
    executable, version = start.find_python()
    assert version in ("3.10", "3.11")
    assert start.python_version(executable) == version


def test_a_missing_interpreter_is_not_a_candidate():
    assert start.python_version(["/nonexistent/python3.10"]) is None


def test_rerunning_setup_reinstalls_nothing():
    result = subprocess.run([sys.executable, str(REFERENCE_ROOT / "start.py"), "setup"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "安装依赖" not in result.stdout


def test_other_words_are_passed_to_the_bot_cli():
    result = subprocess.run([sys.executable, str(REFERENCE_ROOT / "start.py"), "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "train" in result.stdout and "shell" in result.stdout


def test_the_venv_interpreter_is_where_each_system_puts_it():
    windows = Path(start.venv_python("win32"))
    assert windows.parts[-3:] == (".venv", "Scripts", "python.exe")
    for platform in ("linux", "darwin"):
        assert Path(start.venv_python(platform)).parts[-3:] == (".venv", "bin", "python")
    assert start.venv_python() == start.venv_python(sys.platform)
