"""Leak check with specificity: false flags on an honest bot, catches of planted copies.

An honest bot is the unmodified reference project, whose data was written without
the held-out banks: every question it flags is a false flag. A cheating student is
simulated by planting a slightly edited copy of every bank question into the
reference's examples (a 亲 in front, a particle or question mark at the end, a comma,
a dropped or doubled character, another order number): the check should catch it.
Printed per `min_chars` (questions shorter than that after normalising are stock
phrases, leaks only once `evidence` specific questions were copied) at the rubric's
similarity threshold and evidence, for a student who copied the whole bank and one
who copied every tenth question. The reference's data
stands in for an honest student's own writing here, so the grader's exemption of
examples inherited from the reference is not applied.

    .venv/bin/python bench/leakage.py [--banks bank/blind.csv bank/dev.csv]
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EDITS = [
    lambda t, r: "亲 " + t,
    lambda t, r: t + r.choice(["吗", "呢", "？", "啊", "哈"]),
    lambda t, r: t.replace(" ", "，", 1) if " " in t else t + "。",
    lambda t, r: _drop(t, r),
    lambda t, r: _double(t, r),
    lambda t, r: "请问" + t,
]


def _drop(text: str, rng: random.Random) -> str:
    if len(text) < 6:
        return text + "！"
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1:]


def _double(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i + 1] + text[i] + text[i + 1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--banks", nargs="+", default=["bank/blind.csv", "bank/dev.csv"])
    args = parser.parse_args()

    from bot.grading.bank import load_bank
    from bot.grading.rubric import load_rubric
    from bot.grading.static import leakage
    from bot.project_files import Example, read_training_data
    from bot.textsim import normalise

    rubric = load_rubric()
    questions = [q for b in args.banks for q in load_bank(ROOT / b).questions]
    honest, _, _ = read_training_data(ROOT)
    rng = random.Random(1)
    planted = [Example(rng.choice(EDITS)(q.text, rng), "planted", "data/nlu/planted.yml", i + 1)
               for i, q in enumerate(questions)]
    # A student who copied part of the bank: every tenth question, short ones included.
    partial = [(q, p) for i, (q, p) in enumerate(zip(questions, planted)) if i % 10 == 0]
    lengths = [len(normalise(q.text, numbers="drop")) for q in questions]
    print(f"{len(questions)} 道题（{', '.join(args.banks)}），参考项目 {len(honest)} 条例句，"
          f"相似度阈值 {rubric.leak_threshold}；抄题成立后常用说法也算：evidence = {rubric.leak_evidence}\n")
    print("| min_chars | 够具体的题 | 诚实项目误报 | 误报率 | 全部抄：被抓到 | 其中够具体的题 | 抄一成：被抓到 |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for min_chars in (0, 4, 6, 8, 10, 12):
        def check(examples):
            return leakage(questions, examples, rubric.leak_threshold, min_chars,
                           evidence=rubric.leak_evidence)
        specific = sum(n >= min_chars for n in lengths)
        false = check(honest)
        caught = check(honest + planted)
        caught_specific = sum(1 for q, n in zip(questions, lengths) if n >= min_chars and q.key in caught)
        caught_partial = check(honest + [p for _, p in partial])
        partial_rate = sum(q.key in caught_partial for q, _ in partial) / len(partial)
        mark = "（现用）" if min_chars == rubric.leak_min_chars else ""
        print(f"| {min_chars}{mark} | {specific} | {len(false)} | {len(false) / len(questions):.2%} | "
              f"{len(caught) / len(questions):.1%} | {caught_specific / max(1, specific):.1%} | "
              f"{partial_rate:.1%} |")

if __name__ == "__main__":
    main()
