"""`python -m bot` speaks Chinese: help, usage and every argparse error, through the real CLI."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
# what argparse writes in English when nobody translates it
ENGLISH = ["usage:", "positional arguments", "optional arguments", "options:", "show this help",
           "error:", "the following arguments", "invalid choice", "choose from", "unrecognized",
           "expected one argument", "expected at", "invalid int value", "argument ", "ignored explicit"]
# an option followed by a metavar argparse made from the option's English name (--project PROJECT)
ENGLISH_METAVAR = re.compile(r"--[a-z-]+ ([A-Z]{2,})\b")
UNITS = {"MB"}


def bot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def assert_chinese(text: str) -> None:
    low = text.lower()
    assert not [word for word in ENGLISH if word in low], text
    assert set(ENGLISH_METAVAR.findall(text)) <= UNITS, text
    assert re.search(r"[\u4e00-\u9fff]", text), text


def test_main_help_is_chinese_and_lists_every_command():
    result = bot("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("用法：python -m bot")
    assert "选项：" in result.stdout and "显示帮助并退出" in result.stdout
    for name in COMMANDS:
        assert re.search(rf"^    {name} +\S", result.stdout, re.M), name
    assert_chinese(result.stdout)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_is_chinese(name):
    result = bot(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"用法：python -m bot {name}")
    assert_chinese(result.stdout)


def test_help_columns_line_up_with_chinese_metavars():
    """argparse pads by characters; a Chinese metavar is two columns per character."""
    out = bot("grade", "--help").stdout
    starts = []
    for line in out.splitlines():
        m = re.match(r"^  (--bank 文件|--out 文件夹|--jobs N|--timeout 秒) +", line)
        if m:
            starts.append(len(m.group(0)) + sum(1 for c in m.group(1) if "\u4e00" <= c <= "\u9fff"))
    assert len(starts) == 4 and len(set(starts)) == 1, out


@pytest.mark.parametrize("args, words", [
    (["nosuch"], ["没有 'nosuch' 这一项", "check"]),                 # a bad choice (the command)
    (["grade"], ["缺少必需的参数", "--bank", "--out"]),              # missing arguments
    (["new"], ["缺少必需的参数", "文件夹"]),
    (["check", "--bogus"], ["无法识别的参数：--bogus"]),
    (["check", "--project"], ["参数 --project：后面要写一个值"]),     # expected one argument
    (["serve", "--port", "abc"], ["'abc' 不是有效的整数"]),
    (["train", "--force=yes"], ["参数 --force：后面不能写值"]),
    (["new", "x", "--keep-examples", "-3"], ["不能是负数"]),          # our own type function
])
def test_usage_errors_are_chinese_and_exit_2(args, words):
    result = bot(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    err = result.stderr
    assert err.startswith("用法：python -m bot"), err
    assert "：错误：" in err
    for word in words:
        assert word in err, err
    assert_chinese(err)
    assert "Traceback" not in err


def test_no_command_shows_the_help_and_exits_2():
    result = bot()
    assert result.returncode == 2
    assert result.stdout.startswith("用法：python -m bot")
    assert_chinese(result.stdout)
