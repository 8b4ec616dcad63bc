"""Time from typing the command to the first prompt and to the first answer:
ours vs `rasa shell`, on the same trained model of the reference project.

Both read the piped conversation `printf '在吗\\n/quit\\n' | ...` (what issue 9 timed:
≈ 8 s to the first answer before TensorFlow was kept out of the chat). `python -m bot
shell` starts the action server itself; for `rasa shell` the bench starts it beforehand
and does not count it (a student would run it in a second terminal), so the comparison
favours Rasa. Ours shows the prompt at once and loads Rasa while the student types;
the first-answer column shows the full cost. The last column says whether the chat
process imported TensorFlow (see bot/rasa_patches.without_tensorflow).

    .venv/bin/python bench/shell_startup.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.action_server import ActionServer  # noqa: E402
from bot.processes import python_environment  # noqa: E402
from bot.project import Project  # noqa: E402
from bot.training import train  # noqa: E402

# Run a command with an exit hook that appends whether TensorFlow was imported.
WITH_REPORT = ("import atexit, runpy, sys\n"
               "report = sys.argv.pop(1)\n"
               "atexit.register(lambda: open(report, 'w').write(str('tensorflow' in sys.modules)))\n"
               "sys.argv = sys.argv[1:]\n"
               "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n")


def piped_session(module_args: List[str], prompt: str, answer: str, quit_text: str) -> Tuple[float, float, bool]:
    """(seconds to the first prompt, to the first answer, TensorFlow imported?)"""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "tensorflow.txt"
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", WITH_REPORT, str(report), *module_args], cwd=ROOT,
            env=python_environment(PYTHONUNBUFFERED="1"), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        process.stdin.write(f"在吗\n{quit_text}\n".encode("utf-8"))
        process.stdin.close()
        to_prompt = to_answer = float("nan")
        seen = b""
        while True:
            chunk = process.stdout.read1(65536)
            if not chunk:
                break
            seen += chunk
            now = time.perf_counter() - start
            if to_prompt != to_prompt and prompt.encode("utf-8") in seen:
                to_prompt = now
            if to_answer != to_answer and answer.encode("utf-8") in seen:
                to_answer = now
        process.wait()
        return to_prompt, to_answer, report.read_text() == "True"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    project = Project.at(ROOT)
    model = train(project)
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            ours.append(piped_session(["bot", "shell"], "你：", "小悦：", "/quit"))
            with ActionServer(project) as server:
                endpoints = Path(scratch) / "endpoints.yml"
                endpoints.write_text(f"action_endpoint:\n  url: {server.url}\n", "utf-8")
                theirs.append(piped_session(
                    ["rasa", "shell", "-m", str(model), "--endpoints", str(endpoints)],
                    "Your input", "亲", "/stop"))
            print(f"第 {run + 1} 次：python -m bot shell 提示 {ours[-1][0]:.1f} s / 首答 {ours[-1][1]:.1f} s；"
                  f"rasa shell 提示 {theirs[-1][0]:.1f} s / 首答 {theirs[-1][1]:.1f} s", flush=True)
    print(f"\n负载 {os.getloadavg()[0]:.1f}（{os.cpu_count()} 核）")
    print(f"| 命令（管道输入，中位数，{args.runs} 次） | 到第一个输入提示 | 到第一条回答 | 加载了 TensorFlow |\n"
          "| --- | --- | --- | --- |")
    rows = {"python -m bot shell（含启动动作服务器）": ours, "rasa shell（动作服务器另外启动，不计时）": theirs}
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(v[0] for v in values):.1f} s | "
              f"{statistics.median(v[1] for v in values):.1f} s | "
              f"{'是' if any(v[2] for v in values) else '否'} |")
    for i, label in enumerate(("到提示", "到首答")):
        ratio = statistics.median(v[i] for v in ours) / statistics.median(v[i] for v in theirs)
        print(f"| 比值 本项目/rasa（{label}） | {ratio:.2f} | | |")


if __name__ == "__main__":
    main()
