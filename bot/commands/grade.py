"""`grade`: grade one student project or a whole class against question banks."""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from bot.chinese_argparse import number
from bot.exit_codes import EXIT_USAGE
from bot.project import REFERENCE_ROOT

HELP = "（老师用）给一个学生项目或整个班级评分：训练、逐题提问、跑多轮情景，写出报告"

EPILOG = """\
路径可以是一个项目文件夹，一个 .zip，或者装着各个学生项目（文件夹或 .zip）的班级文件夹。
题库是 CSV（UTF-8 或 Excel 另存的 GBK）或 YAML，列为 id,text,category,intent,must_include,note，
至少要有 text 和 category；category 写 return、logistics、quality，其他都算负例。

输出（都在 --out 的文件夹里）：单个项目写 report.json、report.html、report.md、class.csv；
班级写 <学生>/report.*、class.csv（Excel 可直接打开）和 index.html。

退出码：
  0  评分完成
  1  有项目低于 --fail-under（或没有运行起来），或评分集群中途断开（已评完的项目已保存，再运行只评剩下的）
  2  用法或配置错误（路径不对、情景或评分细则写错）
  3  题库是空的或读不了（绝不当作通过），或有坏行没用上（除非 --allow-bad-rows）

例子：
  python -m bot grade . --bank bank/practice.csv --scenarios bank/scenarios --out reports/me
  python -m bot grade 作业/ --bank 期末题库.csv --scenarios bank/scenarios --out reports/班级 --student-view
  python -m bot grade 期末/ --bank 期末题库.csv --out reports/期末 --cluster tcp://192.168.1.10:8786

同一个 --out 再运行一次，只评上次没评完的项目（项目、题库、情景、评分细则都没变的直接复用）。
"""


positive = number(float, lambda value: value <= 0, "需要一个数", "需要大于 0 的数")
score = number(float, lambda value: not 0 <= value <= 100, "需要一个 0 到 100 的分数", "分数应当在 0 到 100 之间")
count = number(int, lambda value: value < 1, "需要一个整数", "至少是 1")


def cluster(text: str) -> str:
    """local, local:N, or a scheduler's address (tcp://HOST:PORT or HOST:PORT)."""
    text = text.strip()
    if re.fullmatch(r"local(:[1-9][0-9]*)?", text) or re.fullmatch(r"(tcp://)?[^\s:/]+:[0-9]{1,5}", text):
        return text if text.startswith(("local", "tcp://")) else "tcp://" + text
    raise argparse.ArgumentTypeError(
        f"看不懂集群地址 {text!r}：写 local、local:N（本机 N 个评分进程），或老师机 scheduler 的地址，如 tcp://192.168.1.10:8786")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("path", metavar="路径", help="项目文件夹、.zip，或装着学生项目的班级文件夹")
    parser.add_argument("--bank", action="append", required=True, metavar="文件",
                        help="题库文件（CSV 或 YAML）；可以写多次")
    parser.add_argument("--scenarios", metavar="文件夹",
                        help="多轮情景文件夹（默认参考项目的 bank/scenarios；给一个空文件夹就不跑情景）")
    parser.add_argument("--out", required=True, metavar="文件夹", help="报告写到这个文件夹")
    parser.add_argument("--fail-under", type=score, metavar="N", help="有项目低于 N 分（或没有运行起来）时退出码为 1")
    parser.add_argument("--timeout", type=positive, default=600, metavar="秒",
                        help="每个项目的时间上限（秒，默认 600）：超时的项目记为出错，其余继续")
    parser.add_argument("--max-memory", type=positive, default=3072, metavar="MB",
                        help="每个评分进程的内存上限（MB，默认 3072；Linux 上检查）：超过的项目记为出错，其余继续")
    parser.add_argument("--student-view", action="store_true",
                        help="写给学生看的报告：不出现任何考题，只有每类没答对的题数和原因")
    parser.add_argument("--allow-student-code", action="store_true",
                        help="使用学生项目自己的 actions/ 和 components/（默认只用参考项目的代码，不运行学生的 Python）")
    parser.add_argument("--allow-bad-rows", action="store_true",
                        help="题库有坏行（行号会列出）时跳过它们继续评分（默认退出码 3，不评分）")
    parser.add_argument("--rubric", metavar="文件", help="评分细则（默认 bank/rubric.yml）")
    parser.add_argument("--model-cache", metavar="文件夹",
                        help="评分训练的模型存放处（默认参考项目的 .rasa/grading/models）：数据没变的项目不再重新训练")
    parser.add_argument("--jobs", type=count, default=min(2, os.cpu_count() or 1), metavar="N",
                        help="同时评几个项目（默认 2；每个项目训练时占一个 CPU 核）")
    parser.add_argument("--cluster", type=cluster, metavar="地址",
                        help="在评分集群上评（Dask）：老师机 scheduler 的地址，如 tcp://192.168.1.10:8786；"
                             "local:N 在本机临时起 N 个评分进程的集群。搭建步骤见 README「实验室集群评分」")


def run(args: argparse.Namespace) -> int:
    from bot import console
    from bot.grading.session import Options, run as grade

    for name, value in (("--scenarios", args.scenarios), ("--rubric", args.rubric)):
        if value and not Path(value).exists():
            console.error(f"找不到 {name} {value}：请确认路径。")
            return EXIT_USAGE
    options = Options(
        path=Path(args.path).expanduser(), banks=[Path(b).expanduser() for b in args.bank],
        out=Path(args.out).expanduser(),
        scenarios=Path(args.scenarios).expanduser() if args.scenarios else REFERENCE_ROOT / "bank" / "scenarios",
        rubric=Path(args.rubric).expanduser() if args.rubric else None,
        fail_under=args.fail_under, timeout=args.timeout, max_memory=args.max_memory,
        student_view=args.student_view,
        allow_student_code=args.allow_student_code, allow_bad_rows=args.allow_bad_rows, jobs=args.jobs,
        cluster=args.cluster)
    if args.model_cache:
        options.model_store = Path(args.model_cache).expanduser().resolve()
    return grade(options)
