"""Time from typing the command to the first chat prompt: ours vs `rasa shell`.

Both use the same trained model of the reference project. `python -m bot shell` also
starts the action server itself; `rasa shell` does not (it would need a second
terminal), so the comparison favours Rasa.

    .venv/bin/python bench/shell_startup.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.console import quiet_environment  # noqa: E402
from bot.project import Project  # noqa: E402
from bot.training import train  # noqa: E402


def seconds_to_prompt(command, args, prompt, quit_text) -> float:
    start = time.perf_counter()
    child = pexpect.spawn(command, args, cwd=str(ROOT), env=quiet_environment(),
                          encoding="utf-8", timeout=180, dimensions=(40, 160))
    child.expect(prompt)
    elapsed = time.perf_counter() - start
    child.sendline(quit_text)
    child.expect(pexpect.EOF)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    model = train(Project.at(ROOT))
    python = sys.executable
    rasa = str(Path(python).parent / "rasa")
    ours, theirs = [], []
    for run in range(args.runs):
        ours.append(seconds_to_prompt(python, ["-m", "bot", "shell"], "你：", "/quit"))
        theirs.append(seconds_to_prompt(
            rasa, ["shell", "-m", str(model), "--endpoints", "endpoints.yml"],
            "Your input", "/stop"))
        print(f"第 {run + 1} 次：python -m bot shell {ours[-1]:.1f} s，rasa shell {theirs[-1]:.1f} s",
              flush=True)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"\n| 命令 | 到第一个输入提示（中位数，{args.runs} 次） |\n| --- | --- |")
    print(f"| python -m bot shell（含启动动作服务器） | {a:.1f} s |")
    print(f"| rasa shell（不含动作服务器） | {b:.1f} s |")
    print(f"| 比值 | {a / b:.2f}（目标 < 0.5） |")


if __name__ == "__main__":
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    main()
