"""Training time, model load time and reply latency: our config vs Rasa's default.

Both models are trained on the same domain and data, cold (Rasa's cache disabled),
and then answer the same messages through the same running action server.

    .venv/bin/python bench/bot_speed.py [--runs 3] [--default-runs 1] [--messages 300]

"Rasa's default" is the configuration `rasa init` writes (DIETClassifier,
ResponseSelector, TEDPolicy, UnexpecTEDIntentPolicy, 100 epochs each), with its
WhitespaceTokenizer replaced by JiebaTokenizer: Rasa refuses the whitespace
tokenizer for Chinese.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["RASA_MAX_CACHE_SIZE"] = "0"  # every run trains from scratch

from bot.action_server import ActionServer  # noqa: E402
from bot.processes import python_environment  # noqa: E402
from bot.project import Project  # noqa: E402
from bot.runtime import BotRuntime  # noqa: E402
from bot.training import rasa_environment  # noqa: E402

DEFAULT_CONFIG = """recipe: default.v1
language: zh
assistant_id: bench-default
pipeline:
  - name: JiebaTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
"""


def train(config: Path, out: Path, name: str) -> float:
    env = rasa_environment(Project.at(ROOT))
    env["RASA_MAX_CACHE_SIZE"] = "0"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain",
         str(ROOT / "domain.yml"), "--data", str(ROOT / "data"), "--out", str(out),
         "--fixed-model-name", name],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def load_seconds(model: Path) -> float:
    """Seconds for a fresh Python process to import Rasa and load the model."""
    code = ("import time; s=time.perf_counter(); from rasa.core.agent import Agent; "
            f"Agent.load({str(model)!r}); print(time.perf_counter()-s)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=python_environment(),
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def messages(limit: int):
    with open(ROOT / "bank" / "practice.csv", encoding="utf-8-sig") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    return (texts * (limit // len(texts) + 1))[:limit]


async def latencies(model: Path, server: ActionServer, texts, db: Path):
    runtime = await BotRuntime(model, server.url, db).load()
    result = []
    for i, text in enumerate(texts):
        start = time.perf_counter()
        await runtime.send(f"bench-{i}", text)
        result.append((time.perf_counter() - start) * 1000)
    return result


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--default-runs", type=int, default=1)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    texts = messages(args.messages)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        default_config = tmp / "default-config.yml"
        default_config.write_text(DEFAULT_CONFIG, "utf-8")
        os.environ["SHOP_DB"] = str(tmp / "shop.db")
        project = Project.at(ROOT)
        for label, config, runs in (("本项目配置", ROOT / "config.yml", args.runs),
                                    ("Rasa 默认配置", default_config, args.default_runs)):
            times = [train(config, tmp / "models", f"{label}-{i}") for i in range(runs)]
            model = tmp / "models" / f"{label}-{runs - 1}.tar.gz"
            loads = [load_seconds(model) for _ in range(3)]
            with ActionServer(project) as server:
                lat = asyncio.run(latencies(model, server, texts, tmp / f"conv-{runs}.db"))
            rows[label] = (statistics.median(times), statistics.median(loads),
                           percentile(lat, 50), percentile(lat, 95))
            print(f"{label}: 训练 {times}，加载 {loads}，回复 p50 {rows[label][2]:.1f} ms p95 {rows[label][3]:.1f} ms", flush=True)
    ours, default = rows["本项目配置"], rows["Rasa 默认配置"]
    print(f"\n训练次数：本项目 {args.runs} 次、默认 {args.default_runs} 次（取中位数）；回复 {len(texts)} 条消息\n")
    print("| 指标 | 本项目配置 | Rasa 默认配置 | 比值（默认/本项目） |")
    print("| --- | --- | --- | --- |")
    for i, name in enumerate(["完整训练 (s)", "启动进程并加载模型 (s)", "回复延迟 p50 (ms)", "回复延迟 p95 (ms)"]):
        print(f"| {name} | {ours[i]:.2f} | {default[i]:.2f} | {default[i] / ours[i]:.1f}× |")


if __name__ == "__main__":
    main()
