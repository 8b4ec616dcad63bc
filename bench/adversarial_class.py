"""An adversarial class for `dxm grade`, built the same every run (fixed seed).

    .venv/bin/python bench/adversarial_class.py [--root CHECKOUT] [--timeout SEC]

Builds the class in a temporary folder, grades each probe's inputs alone with the
checkout at --root (default: this one) and prints the table probe → inputs → failures
with each run's time and peak memory. tests/test_grading_robustness.py grades the
whole class in one run.

The inputs (issue 7): names that are not UTF-8 (a project folder, a data file in it, a
zip file and a member of it), links from a folder submission to a file and a folder
outside it, a 50 MB data file, a YAML tag (!!python/object/apply), a student component
in config.yml, an empty folder, and a bank with /restart rows, an unclosed quote and a
ragged row. Files outside the class hold SECRET: no output may show it, and no
grading may write next to them. Only one project (the one with the non-UTF-8 names)
is gradable: it is the only one that trains.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_class import copy_reference  # noqa: E402
from bot.console import printable  # noqa: E402
from bot.processes import python_environment  # noqa: E402

SEED = 7
# Undecodable names: GBK bytes (what `unzip` leaves on Linux for a Chinese Windows zip)
# and bytes that are neither UTF-8 nor GBK.
GBK_PROJECT = b"02_\xd5\xc5\xc8\xfd"           # 02_张三 in GBK
GBK_DATA_FILE = b"\xcd\xcb\xbb\xf5.yml"        # 退货.yml in GBK
GBK_ZIP = b"07_\xd1\xb9\xcb\xf5.zip"           # 07_压缩.zip in GBK
BAD_MEMBER = b"\xff\xfe\xfd.yml"               # flagged UTF-8, but not UTF-8
PROBES = {  # probe -> the class entries it is about
    "非 UTF-8 的名字（项目文件夹、数据文件、zip 和 zip 里的文件）": [os.fsdecode(GBK_PROJECT), os.fsdecode(GBK_ZIP)],
    "指向项目外面的链接（文件、文件夹）": ["01_链接到外面"],
    "50 MB 的数据文件": ["03_大文件"],
    "YAML 标签、config.yml 里的学生组件、空文件夹": ["04_YAML标签", "05_学生组件", "06_空文件夹"],
}
BANK_PROBE = "题库：/restart 行、引号没配对、格数比表头多"
SMALL_BANK = ROOT / "tests" / "fixtures" / "grading" / "small_bank.csv"
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class AdversarialClass:
    folder: Path                  # the class: one entry per submission
    bank: Path
    outside: Path                 # what no grading may read or write
    secret: str
    bank_lost_lines: List[int]    # the bank's lines a teacher must be told about
    entries: List[str] = field(default_factory=list)


def _chinese(rng: random.Random, size: int) -> str:
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(size))


def _huge_nlu(path: Path, megabytes: int, rng: random.Random) -> None:
    """Many intent blocks: what made the old static analysis quadratic."""
    lines = [f"    - {_chinese(rng, 12)}\n" for _ in range(997)]
    with open(path, "w", encoding="utf-8") as f:
        f.write('version: "3.1"\nnlu:\n')
        block = 0
        while f.tell() < megabytes * 1024 * 1024:
            examples = "".join(lines[(block * 20 + i) % len(lines)] for i in range(20))
            f.write(f"- intent: intent_{block}\n  examples: |\n{examples}")
            block += 1


class _RawNameInfo(zipfile.ZipInfo):
    """A member whose name is written as given bytes, flagged UTF-8."""

    raw = b""

    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits | 0x800


def make_class(where: Path, huge_mb: int = 50) -> AdversarialClass:
    rng = random.Random(SEED)
    secret = f"机密{rng.randrange(10 ** 8):08d}"
    outside = where / "outside"
    (outside / "folder").mkdir(parents=True)
    secret_nlu = (f'version: "3.1"\nnlu:\n- intent: request_return\n  examples: |\n    - {secret}退货\n'
                  f'- intent: ask_price\n  examples: |\n    - {secret}退货\n')
    (outside / "secret.yml").write_text(secret_nlu, "utf-8")
    (outside / "folder" / "secret.yml").write_text(secret_nlu, "utf-8")
    folder = where / "班级"
    folder.mkdir()

    linked = copy_reference(folder / "01_链接到外面")
    (linked / "data" / "nlu" / "zz_more.yml").symlink_to(outside / "secret.yml")
    (linked / "data" / "more").symlink_to(outside / "folder", target_is_directory=True)

    gbk = copy_reference(Path(os.fsdecode(bytes(folder) + b"/" + GBK_PROJECT)))
    returns = (ROOT / "data" / "nlu" / "returns.yml").read_text("utf-8").split("- intent: request_return\n", 1)[1]
    copied = next(line for line in returns.splitlines() if line.startswith("    - "))  # a duplicate, at line 8
    examples = "".join(f"    - {_chinese(rng, 2)}，我要退货\n" for _ in range(3)) + copied + "\n"
    Path(os.fsdecode(bytes(gbk / "data" / "nlu") + b"/" + GBK_DATA_FILE)).write_text(
        f'version: "3.1"\nnlu:\n- intent: request_return\n  examples: |\n{examples}', "utf-8")

    huge = folder / "03_大文件"
    (huge / "data" / "nlu").mkdir(parents=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, huge / name)
    _huge_nlu(huge / "data" / "nlu" / "big.yml", huge_mb, rng)

    tagged = copy_reference(folder / "04_YAML标签")
    (tagged / "domain.yml").write_text(
        f'evil: !!python/object/apply:os.system ["echo pwned > {outside / "pwned-yaml"}"]\n'
        + (ROOT / "domain.yml").read_text("utf-8"), "utf-8")

    component = copy_reference(folder / "05_学生组件")
    (component / "components").mkdir()
    (component / "components" / "student_hack.py").write_text(
        f"open({str(outside / 'pwned-component')!r}, 'w').write('pwned')\n", "utf-8")
    config = (component / "config.yml").read_text("utf-8")
    (component / "config.yml").write_text(
        config.replace("pipeline:\n", "pipeline:\n  - name: components.student_hack.Hack\n", 1), "utf-8")

    (folder / "06_空文件夹").mkdir()

    with zipfile.ZipFile(os.fsdecode(bytes(folder) + b"/" + GBK_ZIP), "w") as archive:
        archive.writestr("作业/domain.yml", (ROOT / "domain.yml").read_text("utf-8"))
        member = _RawNameInfo("作业/data/x.yml")
        member.raw = b"\xe4\xbd\x9c\xe4\xb8\x9a/data/" + BAD_MEMBER
        archive.writestr(member, "nlu: []\n")

    bank = where / "bank.csv"
    small = SMALL_BANK.read_text("utf-8")
    extra = ["X-S1,/restart,return,,,", "X-S2,/session_start,negative,,,",
             "X-R1,我要退货,不想要了,return,request_return,,",        # an unquoted comma: 7 cells
             'X-Q1,"你们家发什么快递,negative,,,',                   # the quote is never closed
             "X-N1,在吗,negative,,,", "X-N2,有优惠券吗,negative,,,"]
    bank.write_text(small + "\n".join(extra) + "\n", "utf-8")
    first = small.count("\n") + 1
    lost = [first + 2] + list(range(first + 3, first + len(extra)))
    entries = sorted(os.fsdecode(e) for e in os.listdir(bytes(folder)))
    return AdversarialClass(folder, bank, outside, secret, lost, entries)


# ---------------------------------------------------------------- checking one run


def measured_grade(root: Path, args: List[str], timeout: float) -> Dict[str, object]:
    """Run `python -m bot grade ARGS` of the checkout at ROOT; its exit code, output,
    wall seconds and the peak resident memory of its process tree (the largest process:
    RUSAGE_CHILDREN of a wrapper that only runs it)."""
    wrapper = ("import json, resource, subprocess, sys\n"
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors='replace')\n"
               "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
               "print(json.dumps({'code': r.returncode, 'stdout': r.stdout, 'stderr': r.stderr,"
               " 'peak_kb': peak if sys.platform != 'darwin' else peak // 1024}))\n")
    env = python_environment(first=[root])
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", wrapper, sys.executable, "-m", "bot", "grade", *args],
                               cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the wrapper and the grade run under it
        process.communicate()
        raise
    result = json.loads(stdout)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def outputs_text(out: Path) -> str:
    return "\n".join(p.read_text("utf-8", errors="replace") for p in out.rglob("*") if p.is_file())


def class_rows(out: Path) -> Dict[str, List[str]]:
    path = out / "class.csv"
    if not path.exists():
        return {}
    return {row[0]: row for row in list(csv.reader(path.open(encoding="utf-8-sig")))[1:]}


def shown(entry: str) -> str:
    """The name a teacher sees for a class entry (a zip without its suffix)."""
    return printable(entry[:-4] if entry.endswith(".zip") else entry)


def named_lines(text: str) -> set:
    """The bank lines a message names: "第 7 行" and every line of "第 7–9 行"."""
    named = set()
    for first, last in re.findall(r"第 (\d+)(?:–(\d+))? 行", text):
        named.update(range(int(first), int(last or first) + 1))
    return named


def project_failures(klass: AdversarialClass, run: Dict[str, object], out: Path, entries: List[str],
                     outside_before: List[str]) -> List[str]:
    """What went wrong for ENTRIES in a finished run, one line each (empty: all held)."""
    failures = []
    if run["code"] not in (0, 1) or "Traceback" in str(run["stderr"]):
        failures.append(f"退出码 {run['code']}：{str(run['stderr']).strip().splitlines()[-1:]}")
    rows = class_rows(out)
    for entry in entries:
        row = rows.get(shown(entry))
        if row is None:
            failures.append(f"{shown(entry)}：class.csv 里没有这一行")
        elif row[1] == "出错" and not CJK.search(row[-1]):
            failures.append(f"{shown(entry)}：出错但没有中文原因")
    if klass.secret in outputs_text(out):
        failures.append("外面文件的内容出现在报告里")
    if sorted(os.listdir(klass.outside)) != outside_before:
        failures.append("外面多了文件")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description="对抗性班级：每个探针单独评分，列出失败")
    parser.add_argument("--root", default=str(ROOT), help="被测的代码目录（默认本仓库）")
    parser.add_argument("--timeout", type=float, default=900, help="每次评分最多等多少秒")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    with tempfile.TemporaryDirectory(prefix="dxm-adversarial-") as tmp:
        tmp = Path(tmp)
        klass = make_class(tmp / "class")
        models = tmp / "models"
        print("| 探针 | 输入 | 失败的输入 | 失败 | 最长用时 | 内存峰值 |")
        print("| --- | ---: | ---: | --- | ---: | ---: |")
        for number, (probe, entries) in enumerate(PROBES.items()):
            failed, notes, seconds, peak = 0, [], 0.0, 0
            for index, entry in enumerate(entries):  # each input alone: one crash must not hide another
                alone = tmp / f"alone-{number}-{index}"
                alone.mkdir()
                os.rename(klass.folder / entry, alone / entry)
                out = alone.with_name(alone.name + "-out")
                before = sorted(os.listdir(klass.outside))
                try:
                    run = measured_grade(root, [str(alone), "--bank", str(SMALL_BANK), "--out", str(out),
                                                "--model-cache", str(models)], args.timeout)
                    failures = project_failures(klass, run, out, [entry], before)
                    seconds, peak = max(seconds, float(run["seconds"])), max(peak, int(run["peak_kb"]) // 1024)
                except subprocess.TimeoutExpired:
                    failures, seconds = [f"{shown(entry)}：{args.timeout:.0f} 秒内没有结束"], args.timeout
                failed += bool(failures)
                notes += failures
            print(f"| {probe} | {len(entries)} | {failed} | {'；'.join(notes) or '—'} | {seconds:.0f} 秒 | {peak} MB |")
        (tmp / "empty").mkdir()  # the bank is read before any project: nothing to grade
        run = measured_grade(root, [str(tmp / "empty"), "--bank", str(klass.bank), "--out", str(tmp / "out-bank")],
                             args.timeout)
        missing = sorted(set(klass.bank_lost_lines) - named_lines(str(run["stdout"]) + str(run["stderr"])))
        failures = ([f"没有报出第 {missing} 行"] if missing else []) + (
            [] if run["code"] == 3 else [f"丢了行，退出码却是 {run['code']}（应为 3）"])
        print(f"| {BANK_PROBE} | {len(klass.bank_lost_lines)} 行 | {len(missing) + (run['code'] != 3)} | "
              f"{'；'.join(failures) or '—'} | {run['seconds']:.0f} 秒 | {int(run['peak_kb']) // 1024} MB |")


if __name__ == "__main__":
    main()
