"""A class on one bot: 40 simulated students x 20 turns, concurrent, over HTTP.

Side by side in one run, on the same trained model:
  sqlite      one `dxm serve` on the embedded SQLite tracker store (the default)
  pg+redis    two `dxm serve` processes sharing PostgreSQL (SQLTrackerStore) and
              Redis (lock store), started from the Debian packages on 127.0.0.1;
              each student's turns alternate between the two processes

Reported: messages/s, reply latency p50/p95, errors, and conversations whose turns
were lost, doubled, reordered or interleaved, checked in the tracker stores afterwards.

    .venv/bin/python bench/serve_load.py [--project DIR] [--students 40] [--turns 20]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bot.project import Project  # noqa: E402
from bot.training import train  # noqa: E402
from servers import LocalPostgres, LocalRedis, Served, interleaved, user_texts  # noqa: E402

QUESTIONS = [
    "在吗", "满多少包邮", "发什么快递", "几天发货", "可以开发票吗", "有优惠券吗", "能便宜点吗",
    "是正品吗", "这个牛仔裤多少钱", "我165 100斤穿什么码", "卫衣是什么材质", "耳机有几种颜色",
    "T恤还有货吗", "羽绒服怎么洗", "新疆包邮吗", "顺丰要加钱吗", "运费险有吗", "怎么付款",
    "人工客服几点上班", "谢谢",
]


def copy_project(source: Path) -> Project:
    root = Path(tempfile.mkdtemp(prefix="dxm-load-"))
    for name in ("config.yml", "domain.yml", "endpoints.yml"):
        shutil.copy(source / name, root / name)
    for folder in ("data", "shop", "models"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, root / folder)
    return Project.at(root)


def sqlite_events(project: Project, sender: str):
    with sqlite3.connect(project.conversations_db) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id",
                                  (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def run_class(name: str, servers, events, students: int, turns: int, think: float) -> dict:
    for server in servers:  # warm up each process (first parse, first action call)
        for text in QUESTIONS[:3]:
            server.post("/webhooks/rest/webhook", {"sender": f"warmup-{name}", "message": text})
    latencies, errors = [], []
    sent = {f"{name}-{n}": [QUESTIONS[(n + t) % len(QUESTIONS)] for t in range(turns)]
            for n in range(students)}
    start = threading.Barrier(students + 1)
    pauses = random.Random(0)

    def student(number: int, sender: str) -> None:
        start.wait()
        for turn, text in enumerate(sent[sender]):
            if think:  # a student reads the answer and types the next question
                time.sleep(pauses.uniform(0.5, 1.5) * think)
            server = servers[(number + turn) % len(servers)]
            began = time.perf_counter()
            try:
                status, replies = server.post("/webhooks/rest/webhook", {"sender": sender, "message": text})
                ok = status == 200 and replies and replies[0].get("text")
            except Exception as error:  # counted, never hidden
                ok, status = False, repr(error)
            latencies.append(time.perf_counter() - began)
            if not ok:
                errors.append((sender, turn, status))

    threads = [threading.Thread(target=student, args=(n, s)) for n, s in enumerate(sent)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    broken = 0
    for sender, texts in sent.items():
        stored = events(sender)
        broken += user_texts(stored) != texts or interleaved(stored)
    if errors:  # what the servers logged about them
        for server in servers:
            print("".join(line for line in server.output if "rror" in line)[-2000:])
    quantiles = statistics.quantiles(latencies, n=100)
    return {"name": name, "messages": len(latencies), "per_second": len(latencies) / elapsed,
            "p50": quantiles[49] * 1000, "p95": quantiles[94] * 1000, "errors": len(errors),
            "broken": broken, "error_kinds": sorted({str(e[2]) for e in errors})[:3]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a student pauses before each message (0: none)")
    args = parser.parse_args()
    project = copy_project(args.project.resolve())
    train(project)
    rows = []
    server = Served(project)
    try:
        rows.append(run_class("sqlite", [server], lambda s: sqlite_events(project, s),
                              args.students, args.turns, args.think))
    finally:
        server.stop()
    postgres, redis = LocalPostgres(), LocalRedis()
    pair = []
    try:
        stores = ("--tracker-store", postgres.url, "--lock-store", redis.url)
        pair = [Served(project, *stores), Served(project, *stores)]
        rows.append(run_class("pg+redis", pair, postgres.events, args.students, args.turns, args.think))
    finally:
        for server in pair:
            server.stop()
        redis.stop()
        postgres.stop()
    shutil.rmtree(project.root, ignore_errors=True)
    print(f"\n{args.students} students x {args.turns} turns, concurrent, REST webhook,"
          f" think time {args.think:g} s")
    print("| store | processes | messages | msg/s | p50 ms | p95 ms | errors | lost/reordered conversations |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row, processes in zip(rows, (1, 2)):
        print(f"| {row['name']} | {processes} | {row['messages']} | {row['per_second']:.1f} | "
              f"{row['p50']:.0f} | {row['p95']:.0f} | {row['errors']} | {row['broken']} |"
              + (f"  errors: {', '.join(row['error_kinds'])}" if row["errors"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
