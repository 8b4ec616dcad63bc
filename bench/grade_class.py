"""Time `python -m bot grade` on a class against the naive loop, side by side.

    .venv/bin/python bench/grade_class.py [--count 30] [--naive 20] [--class DIR]

1. makes a class of varied student projects (bench/make_class.py) unless --class is given;
2. grades it from a cold model cache (every project trained) with the local pool and
   with `--cluster local:JOBS` (a throw-away Dask cluster of as many workers), --rounds
   times in mirrored order (pool, cluster; cluster, pool; ...: this machine's speed
   drifts within a run, and whichever ran second paid for it), then once more with the
   cache warm (what a teacher pays to re-grade with a changed bank); every run writes to
   its own folder (a rerun into the same folder would reuse the finished projects);
3. runs the naive loop on --naive projects spread over the class (default all), in shares
   before, between and after the rounds: `rasa train` then `rasa test --stories tests
   --nlu <the bank as Rasa NLU data>` (cold Rasa cache, reference code, the project's
   shop/ like bot.training);
4. prints medians per project, totals, CPU seconds, projects per minute per core and the
   ratios. When --naive is smaller than the class, the naive total for the class is its
   median x class size, which overstates it: the class's broken and small projects take
   far less than the median (on the class of 30: 1,476 s estimated from 5, 1,359 s
   measured on all 30);
5. projects a department's exam (--project-projects on --project-machines of
   --project-cores): the measured mean seconds per project x projects / cores.

Wall time depends on what else the machine runs: the load average is printed, and CPU
seconds (the whole process tree, sampled) are shown next to wall seconds.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_class import make_class  # noqa: E402
from bot.grading.projects import find_submissions  # noqa: E402
from bot.processes import python_environment  # noqa: E402

PYTHON = sys.executable


def environment(**extra: str) -> Dict[str, str]:
    return python_environment(**extra)


def tree_cpu(root: psutil.Process, seen: Dict[Tuple[int, float], float]) -> None:
    """Record the CPU seconds so far of ROOT and every process below it."""
    try:
        family = [root] + root.children(recursive=True)
    except psutil.Error:
        return
    for process in family:
        try:
            with process.oneshot():
                times = process.cpu_times()
                seen[(process.pid, process.create_time())] = times.user + times.system
        except psutil.Error:
            pass


def timed(command: List[str], **kwargs) -> Tuple[float, float, int]:
    """Wall and CPU seconds of COMMAND and every process it starts.

    The CPU is sampled from the process tree every half second: the cluster's processes
    are killed at the end, their CPU never reaches this process's getrusage. What a
    process spends after its last sample is missed (under 1 % of a class: the pool's
    samples and its getrusage agree to that).
    """
    wall = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    root, seen = psutil.Process(process.pid), {}
    while process.poll() is None:
        tree_cpu(root, seen)
        time.sleep(0.5)
    return time.monotonic() - wall, sum(seen.values()), process.returncode


def bank_as_nlu(bank: Path, target: Path) -> None:
    """The bank in Rasa's NLU format, so `rasa test nlu` can read it."""
    by_intent: Dict[str, List[str]] = {}
    with open(bank, encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            by_intent.setdefault(row.get("intent") or "out_of_scope", []).append(row["text"])
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in texts]
    target.write_text("\n".join(lines) + "\n", "utf-8")


def grade(class_dir: Path, bank: Path, out: Path, store: Path, *extra: str) -> Tuple[float, float, int]:
    return timed([PYTHON, "-m", "bot", "grade", str(class_dir), "--bank", str(bank), "--out", str(out),
                  "--model-cache", str(store), "--timeout", "3600", *extra], cwd=ROOT, env=environment())


def naive(project: Path, nlu_bank: Path, work: Path) -> Tuple[float, float, str]:
    """`rasa train` + `rasa test` for one project, as a teacher's shell loop would."""
    work.mkdir(parents=True)
    env = environment(SHOP_DIR=str(project / "shop"), SHOP_DB=str(work / "shop.db"),
                      RASA_CACHE_DIRECTORY=str(work / "cache"))
    rasa = [PYTHON, "-m", "rasa"]
    w1, c1, code = timed(rasa + ["train", "--domain", str(project / "domain.yml"), "--config",
                                 str(project / "config.yml"), "--data", str(project / "data"),
                                 "--out", str(work), "--fixed-model-name", "naive"], cwd=ROOT, env=env)
    if code != 0:
        return w1, c1, "训练失败"
    w2, c2, code = timed(rasa + ["test", "--model", str(work / "naive.tar.gz"), "--stories", "tests",
                                 "--nlu", str(nlu_bank), "--out", str(work / "results")], cwd=ROOT, env=env)
    return w1 + w2, c1 + c2, "完成" if code == 0 else f"rasa test 退出码 {code}"


def per_project_seconds(out: Path) -> List[float]:
    return [json.loads(p.read_text("utf-8"))["timings"].get("total", 0.0) for p in sorted(out.glob("*/report.json"))]


def main() -> None:
    parser = argparse.ArgumentParser(description="评分速度：python -m bot grade 对比逐个 rasa train + rasa test")
    parser.add_argument("--class", dest="class_dir", help="已有的班级文件夹（默认现场生成）")
    parser.add_argument("--count", type=int, default=30, help="生成多少个学生项目（默认 30）")
    parser.add_argument("--naive", type=int, default=None, help="朴素方法测几个项目（默认全部）")
    parser.add_argument("--bank", default=str(ROOT / "bank" / "practice.csv"))
    parser.add_argument("--jobs", type=int, default=2, help="本地评分进程数，也是本机集群的评分进程数")
    parser.add_argument("--rounds", type=int, default=2,
                        help="冷启动评几轮（默认 2：进程池、集群，再集群、进程池，抵消机器速度的漂移）")
    parser.add_argument("--project-projects", type=int, default=400)
    parser.add_argument("--project-machines", type=int, default=10)
    parser.add_argument("--project-cores", type=int, default=4)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="grade-bench-"))
    class_dir = Path(args.class_dir) if args.class_dir else work / "class"
    if not args.class_dir:
        make_class(class_dir, args.count, seed=7)
    projects = [s for s in find_submissions(class_dir, work / "unzipped")]
    size = len(projects)
    bank = Path(args.bank)
    load = os.getloadavg()[0]
    print(f"班级 {size} 个项目，题库 {bank.name}，{os.cpu_count()} 核，开始时负载 {load:.1f}（工作目录 {work}）", flush=True)

    nlu_bank = work / "bank_nlu.yml"
    bank_as_nlu(bank, nlu_bank)
    # An even spread over the class (its projects go from large to broken), not the first N.
    step = size / (args.naive or size)
    sample = [projects[int(i * step)] for i in range(min(size, args.naive or size))]
    naive_walls, naive_cpus = [], []

    def run_naive(share: List) -> None:
        for number, submission in share:
            if submission.root is None:
                continue
            wall, cpu, status = naive(submission.root, nlu_bank, work / "naive" / f"{number:02d}")
            naive_walls.append(wall)
            naive_cpus.append(cpu)
            print(f"  朴素 {number}/{len(sample)} {submission.name}：{wall:.0f} 秒（CPU {cpu:.0f}）{status}", flush=True)

    # The naive projects run in shares around the rounds, for the same reason.
    numbered = list(enumerate(sample, 1))
    shares = [numbered[i::args.rounds + 1] for i in range(args.rounds + 1)]
    jobs = str(args.jobs)
    walls: Dict[str, List[float]] = {"pool": [], "cluster": []}
    cpus: Dict[str, List[float]] = {"pool": [], "cluster": []}
    per_project: Dict[str, List[float]] = {"pool": [], "cluster": []}
    names = {"pool": "本地进程池", "cluster": f"本机集群 local:{jobs}"}

    def cold(kind: str, round_number: int) -> None:
        out, store = work / f"out-{kind}-{round_number}", work / f"models-{kind}-{round_number}"
        extra = ["--jobs", jobs] if kind == "pool" else ["--cluster", f"local:{jobs}"]
        wall, cpu, code = grade(class_dir, bank, out, store, *extra)
        walls[kind].append(wall)
        cpus[kind].append(cpu)
        per_project[kind] += per_project_seconds(out)
        print(f"第 {round_number} 轮 {names[kind]}（冷启动，全部训练）：{wall:.0f} 秒，CPU {cpu:.0f} 秒，退出码 {code}",
              flush=True)

    run_naive(shares[0])
    for round_number in range(1, args.rounds + 1):
        for kind in ("pool", "cluster")[::1 if round_number % 2 else -1]:
            cold(kind, round_number)
        run_naive(shares[round_number])
    warm_wall, warm_cpu, _ = grade(class_dir, bank, work / "out-warm", work / "models-pool-1", "--jobs", jobs)
    print(f"本地进程池（模型已缓存，重新评分）：{warm_wall:.0f} 秒，CPU {warm_cpu:.0f} 秒", flush=True)

    naive_median = statistics.median(naive_walls)
    naive_class = sum(naive_walls) if len(sample) == size else naive_median * size
    naive_cpu_class = sum(naive_cpus) if len(sample) == size else statistics.median(naive_cpus) * size
    cores = os.cpu_count() or 1

    def rate(wall: float) -> str:
        return f"{size / (wall / 60) / cores:.2f}"

    cold_wall, cluster_wall = statistics.mean(walls["pool"]), statistics.mean(walls["cluster"])
    cold_cpu, cluster_cpu = statistics.mean(cpus["pool"]), statistics.mean(cpus["cluster"])
    rounds = f"（{args.rounds} 轮平均）" if args.rounds > 1 else ""
    print()
    print(f"{'':24}{'全班总用时':>10}{'每个项目（中位数）':>16}{'全班 CPU':>12}{'项目/分钟/核':>14}")
    print(f"{'本地进程池，冷启动':18}{cold_wall:10.0f} 秒{statistics.median(per_project['pool']):12.1f} 秒*"
          f"{cold_cpu:10.0f} 秒{rate(cold_wall):>14} {rounds}")
    print(f"{'本机集群，冷启动':20}{cluster_wall:10.0f} 秒{statistics.median(per_project['cluster']):12.1f} 秒*"
          f"{cluster_cpu:10.0f} 秒{rate(cluster_wall):>14} {rounds}")
    print(f"{'本地进程池，模型已缓存':14}{warm_wall:10.0f} 秒{'':16}{warm_cpu:10.0f} 秒{rate(warm_wall):>14}")
    projected = "" if len(sample) == size else f"（{len(sample)} 个项目中位数 × {size}）"
    print(f"{'朴素 train+test':22}{naive_class:10.0f} 秒{naive_median:12.1f} 秒 {naive_cpu_class:10.0f} 秒"
          f"{rate(naive_class):>14} {projected}")
    print(f"倍数：本地进程池冷启动快 {naive_class / cold_wall:.1f} 倍（CPU 省 {naive_cpu_class / cold_cpu:.1f} 倍），"
          f"本机集群快 {naive_class / cluster_wall:.1f} 倍（CPU 省 {naive_cpu_class / cluster_cpu:.1f} 倍）；"
          f"模型已缓存快 {naive_class / warm_wall:.1f} 倍；结束时负载 {os.getloadavg()[0]:.1f}")
    print(f"集群比本地进程池：用时 {cluster_wall / cold_wall - 1:+.0%}，CPU {cluster_cpu / cold_cpu - 1:+.0%}" + (
        "；各轮用时 " + "，".join(f"第 {n} 轮 {c / p - 1:+.0%}"
                                 for n, (p, c) in enumerate(zip(walls["pool"], walls["cluster"]), 1))
        if args.rounds > 1 else ""))
    print("* 每个项目在评分进程里的用时（几个项目并行，所以全班用时约为总和除以进程数）")
    cost = statistics.mean(per_project["cluster"])
    total_cores = args.project_machines * args.project_cores
    print(f"推算：{args.project_projects} 个项目 × 每个 {cost:.0f} 秒（本机集群实测平均）÷ "
          f"{args.project_machines} 台 × {args.project_cores} 核 = {args.project_projects * cost / total_cores / 60:.0f} 分钟"
          "（每台机器一个评分进程占一个核；另加集群启动约 3 秒、每个评分进程加载 Rasa 约 10 秒）")


if __name__ == "__main__":
    main()
