"""Make a class of varied student projects from the reference, for bench/grade_class.py.

    .venv/bin/python bench/make_class.py OUT [--count 30] [--seed 7]

Each project is what a student might hand in: fewer examples, renamed or merged
intents, unwritten answers, duplicates and conflicts, bank questions copied into the
training data, absolute promises, fixed answers where the order state matters, a
workspace made with `python -m bot new`, and broken ones (a YAML error, a missing
domain.yml, a misspelt component). Some are handed in as .zip files. Deterministic
for a given seed. The folder names say what was done to each project.
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.workspace import create_workspace  # noqa: E402

STUDENT_FILES = ["domain.yml", "config.yml", "endpoints.yml"]
STUDENT_DIRS = ["data", "shop"]
EXAMPLE = re.compile(r"^(\s+)- (.*)$")
INTENT = re.compile(r"^- intent:\s*(\S+)")


def copy_reference(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in STUDENT_FILES:
        shutil.copy2(ROOT / name, target / name)
    for name in STUDENT_DIRS:
        shutil.copytree(ROOT / name, target / name)
    return target


def nlu_paths(project: Path) -> List[Path]:
    return sorted((project / "data" / "nlu").glob("*.yml"))


def edit_examples(project: Path, edit: Callable[[str, List[str]], List[str]]) -> None:
    """Rewrite every run of example lines with edit(intent, examples)."""
    for path in nlu_paths(project):
        out: List[str] = []
        intent, block, indent = None, [], "    "

        def flush() -> None:
            if intent is not None and block:
                out.extend(f"{indent}- {text}" for text in edit(intent, block))

        for line in path.read_text("utf-8").splitlines():
            example = EXAMPLE.match(line)
            if example and intent is not None and len(example.group(1)) >= 4:
                indent = example.group(1)
                block.append(example.group(2))
                continue
            flush()
            block = []
            found = INTENT.match(line)
            if found:
                intent = found.group(1)
            out.append(line)
        flush()
        path.write_text("\n".join(out) + "\n", "utf-8")


def keep_fraction(project: Path, fraction: float, rng: random.Random) -> None:
    def edit(intent: str, examples: List[str]) -> List[str]:
        keep = max(1, round(len(examples) * fraction))
        chosen = sorted(rng.sample(range(len(examples)), keep))
        return [examples[i] for i in chosen]

    edit_examples(project, edit)


def replace_words(project: Path, old: str, new: str, files: List[str]) -> None:
    pattern = re.compile(rf"(?<![\w]){re.escape(old)}(?![\w])")
    for pattern_glob in files:
        for path in project.glob(pattern_glob):
            text = path.read_text("utf-8")
            path.write_text(pattern.sub(new, text), "utf-8")


def rename_intent(project: Path, old: str, new: str, register: bool) -> None:
    replace_words(project, old, new, ["domain.yml", "data/**/*.yml"])
    intents = project / "shop" / "intents.yml"
    text = intents.read_text("utf-8")
    if register:
        text = re.sub(rf"^(\s+){old}:", rf"\1{new}:", text, flags=re.M)
    else:
        text = re.sub(rf"^\s+{old}:.*\n", "", text, flags=re.M)
    intents.write_text(text, "utf-8")


def merge_intent(project: Path, gone: str, into: str) -> None:
    """All of `gone`'s examples and rules now belong to `into` (same kind of answer)."""
    replace_words(project, gone, into, ["data/**/*.yml"])
    domain = project / "domain.yml"
    domain.write_text(re.sub(rf"^\s+- {gone}\s*\n", "", domain.read_text("utf-8"), flags=re.M), "utf-8")
    intents = project / "shop" / "intents.yml"
    intents.write_text(re.sub(rf"^\s+{gone}:.*\n", "", intents.read_text("utf-8"), flags=re.M), "utf-8")


def drop_rules(project: Path, intents: List[str]) -> None:
    """Remove the rules that answer these intents: the student forgot them."""
    for path in (project / "data" / "rules").glob("*.yml"):
        text = path.read_text("utf-8")
        for intent in intents:
            text = re.sub(rf"- rule:[^\n]*\n  steps:\n  - intent: {intent}\n(  - [^\n]*\n)+", "", text)
        path.write_text(text, "utf-8")


def set_response(project: Path, name: str, text: str) -> None:
    domain = project / "domain.yml"
    source = domain.read_text("utf-8")
    source = re.sub(rf"(  {name}:\n  - text: )\"[^\n]*\"", lambda m: m.group(1) + '"' + text + '"', source)
    domain.write_text(source, "utf-8")


def add_examples(project: Path, extra: Dict[str, List[str]]) -> None:
    def edit(intent: str, examples: List[str]) -> List[str]:
        return examples + extra.pop(intent, [])

    edit_examples(project, edit)


def bank_rows() -> List[Dict[str, str]]:
    with open(ROOT / "bank" / "practice.csv", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- the class


def v_reference(p: Path, rng: random.Random) -> None:
    pass


def v_fraction(fraction: float) -> Callable[[Path, random.Random], None]:
    def make(p: Path, rng: random.Random) -> None:
        keep_fraction(p, fraction, rng)
    return make


def v_renamed(p: Path, rng: random.Random) -> None:
    rename_intent(p, "request_return", "return_goods", register=True)
    rename_intent(p, "where_is_parcel", "track_parcel", register=True)
    keep_fraction(p, 0.7, rng)


def v_renamed_unregistered(p: Path, rng: random.Random) -> None:
    rename_intent(p, "report_damaged", "broken_item", register=False)
    keep_fraction(p, 0.6, rng)


def v_merged(p: Path, rng: random.Random) -> None:
    merge_intent(p, "request_refund", "request_return")
    merge_intent(p, "delivered_not_received", "where_is_parcel")
    keep_fraction(p, 0.6, rng)


def v_missing_rules(p: Path, rng: random.Random) -> None:
    drop_rules(p, ["ask_return_shipping_fee", "urge_shipping", "suspect_fake", "ask_invoice"])
    keep_fraction(p, 0.5, rng)


def v_placeholders(p: Path, rng: random.Random) -> None:
    for name in ("utter_ask_return_policy", "utter_ask_return_shipping_fee", "utter_ask_courier", "utter_thanks"):
        set_response(p, name, "【请在这里写答案】")
    keep_fraction(p, 0.5, rng)


def v_absolute_words(p: Path, rng: random.Random) -> None:
    set_response(p, "utter_ask_return_policy", "保证七天无理由退货，全网最快退款！")
    set_response(p, "utter_ask_authenticity", "绝对正品，一定放心")
    set_response(p, "utter_goodbye", "拜拜")
    keep_fraction(p, 0.4, rng)


def v_duplicates(p: Path, rng: random.Random) -> None:
    def edit(intent: str, examples: List[str]) -> List[str]:
        dupes = [e + rng.choice(["亲", "吗", "呢", "～", "？"]) for e in rng.sample(examples, max(1, len(examples) // 4))]
        return examples + dupes
    edit_examples(p, edit)
    # The same sentences under a second intent.
    moved = {"where_is_parcel": ["我要退货", "质量有问题", "退款什么时候到账"], "ask_price": ["包邮吗", "发什么快递"]}
    add_examples(p, moved)


def v_leaky(p: Path, rng: random.Random) -> None:
    rows = [r for r in bank_rows() if r["intent"]]
    chosen = rng.sample(rows, 40)
    extra: Dict[str, List[str]] = {}
    for row in chosen:
        extra.setdefault(row["intent"], []).append(row["text"])
    add_examples(p, extra)
    keep_fraction(p, 0.8, rng)


def v_unconditional(p: Path, rng: random.Random) -> None:
    """查物流 answered with one fixed text instead of asking for the order."""
    rules = p / "data" / "rules" / "logistics.yml"
    rules.write_text(rules.read_text("utf-8").replace(
        "  - intent: where_is_parcel\n  - action: order_form\n  - active_loop: order_form\n",
        "  - intent: where_is_parcel\n  - action: utter_ask_delivery_time\n"), "utf-8")
    (p / "data" / "stories" / "logistics.yml").unlink()  # its story would contradict the rule
    keep_fraction(p, 0.6, rng)


def v_broken_yaml(p: Path, rng: random.Random) -> None:
    path = p / "data" / "nlu" / "returns.yml"
    lines = path.read_text("utf-8").splitlines()
    lines.insert(6, "  examples:: |\n\t- 这一行用了制表符")
    path.write_text("\n".join(lines) + "\n", "utf-8")


def v_no_domain(p: Path, rng: random.Random) -> None:
    (p / "domain.yml").unlink()


def v_bad_config(p: Path, rng: random.Random) -> None:
    config = p / "config.yml"
    config.write_text(config.read_text("utf-8").replace("name: CountVectorsFeaturizer", "name: CountVectorFeaturiser", 1), "utf-8")


def v_random(p: Path, rng: random.Random) -> None:
    keep_fraction(p, rng.uniform(0.3, 0.95), rng)
    if rng.random() < 0.4:
        merge_intent(p, "request_refund", "request_return")
    if rng.random() < 0.3:
        drop_rules(p, [rng.choice(["ask_return_shipping_fee", "urge_shipping", "ask_gift", "cancel_order"])])


HANDCRAFTED = [
    ("范例原样", v_reference), ("删减到70%", v_fraction(0.7)), ("删减到50%", v_fraction(0.5)),
    ("删减到30%", v_fraction(0.3)), ("改了意图名", v_renamed), ("改名未登记", v_renamed_unregistered),
    ("合并意图", v_merged), ("漏写规则", v_missing_rules), ("答案没写完", v_placeholders),
    ("绝对化用语", v_absolute_words), ("重复和冲突", v_duplicates), ("抄了考题", v_leaky),
    ("物流固定话术", v_unconditional), ("YAML写错", v_broken_yaml), ("缺domain", v_no_domain),
    ("组件名写错", v_bad_config),
]
NAMES = "张伟 王芳 李娜 刘洋 陈静 杨磊 赵敏 黄勇 周杰 吴婷 徐强 孙丽 马超 朱琳 胡军 郭敏 何平 林雪 高峰 罗佳 郑浩 梁爽 谢楠 宋涛 唐颖 韩冰 冯凯 董洁 萧然 程远 曹阳 袁梦".split()


def make_class(out: Path, count: int, seed: int, zips: int = 3) -> List[Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    workspaces = [("新建工作区", 0, False), ("工作区加5条", 5, True), ("工作区加11条", 11, True)]
    plan: List[tuple] = [(label, fn) for label, fn in HANDCRAFTED]
    plan += [(label, ("new", keep, answers)) for label, keep, answers in workspaces]
    while len(plan) < count:
        plan.append(("随机改动", v_random))
    for number, (what, how) in enumerate(plan[:count], 1):
        folder = out / f"{number:02d}_{NAMES[(number - 1) % len(NAMES)]}_{what}"
        if isinstance(how, tuple):
            create_workspace(folder, ROOT, keep_examples=how[1], keep_answers=how[2])
        else:
            copy_reference(folder)
            how(folder, random.Random(rng.random()))
        made.append(folder)
    # A few are handed in as zip files (one wrapped in an extra folder, as zips often are).
    for folder in made[1:1 + zips]:
        archive = folder.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    z.write(path, Path("作业") / path.relative_to(folder))
        shutil.rmtree(folder)
        made[made.index(folder)] = archive
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description="生成一个班的模拟学生项目（用于评分性能测试）")
    parser.add_argument("out", help="输出文件夹（必须不存在或为空）")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} 不是空文件夹")
    for path in make_class(out, args.count, args.seed):
        print(path.name)


if __name__ == "__main__":
    main()
