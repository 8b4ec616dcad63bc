"""`check`: read the training data before training and say in Chinese what to fix."""
from __future__ import annotations

import argparse
from pathlib import Path

from bot import console
from bot.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

HELP = "训练前检查训练数据：YAML 格式、意图和答案、例句、话术、商品目录，并运行 Rasa 自带的检查"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default=".", metavar="目录", help="项目目录（默认当前目录）")
    parser.add_argument("--fix", action="store_true",
                        help="自动修改全角冒号/空格和 Tab 缩进，把 GBK 或带 BOM 的文件转成 UTF-8"
                             "（先备份成 文件名.bak-时间），其他内容不动")
    parser.add_argument("--no-rasa", action="store_true", help="跳过 Rasa 自带的数据检查（它需要 15–25 秒）")
    parser.add_argument("--verbose", action="store_true", help="同时显示 Rasa 和 YAML 的英文原文")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出检查结果（给程序读）")
    parser.add_argument("--rubric", metavar="文件",
                        help="按这份评分细则的答案规范检查答案（默认课程项目的 bank/rubric.yml，"
                             "和 grade 的默认一样；老师评分用了 grade --rubric 时，用同一个文件）")


def run(args: argparse.Namespace) -> int:
    from bot.checks import fixer, rasa_validate, render
    from bot.checks.runner import add_rasa, can_run_rasa, run_checks
    from bot.grading.rubric import RubricError, load_rubric

    root = Path(args.project).resolve()
    if not (root / "domain.yml").exists() and not (root / "data").is_dir():
        console.error(f"{root} 不像是一个客服项目（没有 domain.yml，也没有 data/ 文件夹）："
                      "请用 --project 指向项目目录，或先 cd 到项目目录。")
        return EXIT_USAGE
    try:
        rules = (load_rubric(Path(args.rubric)) if args.rubric else load_rubric()).answers
    except RubricError as exc:
        console.error(str(exc))
        return EXIT_USAGE
    say = (lambda text: None) if args.json else console.info
    if args.fix:
        before = run_checks(root, rasa=False, rules=rules)
        result = fixer.apply(root, fixer.fixable_edits(before.findings),
                             fixer.files_to_convert(before.findings))
        say(render.render_fixes(result))
        say("")
    report = run_checks(root, rasa=False, rules=rules)
    if not args.no_rasa:
        if args.json or not can_run_rasa(report):
            add_rasa(report)
        else:
            with console.progress(f"运行 Rasa 自带的数据检查（rasa data validate，约 {rasa_validate.SECONDS} 秒）"):
                add_rasa(report)
    console.info(render.render_json(report) if args.json
                 else render.render_text(report, verbose=args.verbose, rasa_skipped=args.no_rasa))
    return EXIT_FAILED if report.errors else EXIT_OK
