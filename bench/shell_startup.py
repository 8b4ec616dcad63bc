"""Time from typing the command to the first prompt and to the first answer:
ours vs `rasa shell`, on the same trained model of the reference project.

`python -m bot shell` starts the action server itself; for `rasa shell` the bench
starts it beforehand and does not count it (a student would run it in a second
terminal), so the comparison favours Rasa. Ours shows the prompt at once and loads
Rasa while the student types; the first-answer column shows the full cost.

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

from bot.action_server import ActionServer  # noqa: E402
from bot.console import quiet_environment  # noqa: E402
from bot.project import Project  # noqa: E402
from bot.training import train  # noqa: E402


def seconds_to_prompt_and_answer(command, args, prompt, answer, quit_text):
    start = time.perf_counter()
    child = pexpect.spawn(command, args, cwd=str(ROOT), env=quiet_environment(),
                          encoding="utf-8", timeout=180, dimensions=(40, 160))
    child.expect(prompt)
    to_prompt = time.perf_counter() - start
    child.sendline("在吗")
    child.expect(answer)
    to_answer = time.perf_counter() - start
    child.sendline(quit_text)
    child.expect(pexpect.EOF)
    return to_prompt, to_answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    model = train(Project.at(ROOT))
    python = sys.executable
    rasa = str(Path(python).parent / "rasa")
    ours, theirs = [], []
    for run in range(args.runs):
        ours.append(seconds_to_prompt_and_answer(
            python, ["-m", "bot", "shell"], "你：", "小悦：", "/quit"))
        # endpoints.yml points rasa shell at port 5055.
        with ActionServer(Project.at(ROOT), port=5055):
            theirs.append(seconds_to_prompt_and_answer(
                rasa, ["shell", "-m", str(model), "--endpoints", "endpoints.yml"],
                "Your input", "亲", "/stop"))
        print(f"第 {run + 1} 次：python -m bot shell 提示 {ours[-1][0]:.1f} s / 首答 {ours[-1][1]:.1f} s；"
              f"rasa shell 提示 {theirs[-1][0]:.1f} s / 首答 {theirs[-1][1]:.1f} s", flush=True)
    print(f"\n| 命令（中位数，{args.runs} 次） | 到第一个输入提示 | 到第一条回答 |\n| --- | --- | --- |")
    rows = {"python -m bot shell（含启动动作服务器）": ours, "rasa shell（动作服务器另外启动，不计时）": theirs}
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(v[0] for v in values):.1f} s | "
              f"{statistics.median(v[1] for v in values):.1f} s |")
    for i, label in enumerate(("到提示", "到首答")):
        ratio = statistics.median(v[i] for v in ours) / statistics.median(v[i] for v in theirs)
        print(f"| 比值 本项目/rasa（{label}） | {ratio:.2f} | |")


if __name__ == "__main__":
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    main()
