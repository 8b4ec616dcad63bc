"""Choose the intent classifier by measurement, not by habit.

Splits data/nlu into a stratified 80/20 held-out split (seeded), trains an NLU model
per candidate pipeline on the 80 % and reports, per candidate: training time
(median of --runs) and accuracy and macro-F1 on the held-out 20 %. The practice bank
is deliberately not used here: choosing by it would tune the bot to its own exam.

    .venv/bin/python bench/classifiers.py [--runs 3] [--only logreg,diet]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Cold training every run: Rasa's cache would otherwise time a cache hit.
os.environ["RASA_MAX_CACHE_SIZE"] = "0"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKENIZE = [
    {"name": "components.catalog_tokenizer.CatalogJiebaTokenizer"},
    {"name": "components.shop_entities.ShopEntityExtractor"},
]
FEATURES = [
    {"name": "CountVectorsFeaturizer", "analyzer": "word"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3},
]
CANDIDATES = {
    "shop_logreg": TOKENIZE + FEATURES + [
        {"name": "components.intent_classifier.ShopIntentClassifier", "solver": "newton-cg",
         "max_iter": 100, "random_state": 1}],
    "rasa_logreg": TOKENIZE + FEATURES + [
        {"name": "LogisticRegressionClassifier", "max_iter": 100, "random_state": 1}],
    "shop_logreg_saga": TOKENIZE + FEATURES + [
        {"name": "components.intent_classifier.ShopIntentClassifier", "solver": "saga",
         "max_iter": 100, "random_state": 1}],
    "shop_logreg_c10": TOKENIZE + FEATURES + [
        {"name": "components.intent_classifier.ShopIntentClassifier", "solver": "newton-cg",
         "max_iter": 100, "C": 10, "random_state": 1}],
    "diet_50": TOKENIZE + FEATURES + [
        {"name": "DIETClassifier", "epochs": 50, "entity_recognition": False, "random_seed": 1}],
    "diet_100": TOKENIZE + FEATURES + [
        {"name": "DIETClassifier", "epochs": 100, "entity_recognition": False, "random_seed": 1}],
}


def write_config(pipeline, path: Path) -> None:
    import yaml

    path.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "zh",
                                    "assistant_id": "bench", "pipeline": pipeline,
                                    "policies": []}, allow_unicode=True), "utf-8")


def evaluate(model_path: str, examples):
    import asyncio

    from rasa.core.agent import Agent
    from sklearn.metrics import f1_score

    agent = Agent.load(model_path)
    parsed = [asyncio.run(agent.parse_message(text))["intent"] for text, _ in examples]
    predicted = [p["name"] for p in parsed]
    gold = [intent for _, intent in examples]
    correct = [p == g for p, g in zip(predicted, gold)]
    print_thresholds([p["confidence"] for p in parsed], correct)
    return sum(correct) / len(gold), f1_score(gold, predicted, average="macro", zero_division=0)


def print_thresholds(confidences, correct) -> None:
    """What a FallbackClassifier threshold would keep and drop on the held-out set."""
    wrong = sum(not c for c in correct) or 1
    for threshold in (0.1, 0.15, 0.2, 0.3):
        kept = [c for conf, c in zip(confidences, correct) if conf >= threshold]
        dropped_wrong = sum(1 for conf, c in zip(confidences, correct) if conf < threshold and not c)
        print(f"    阈值 {threshold:.2f}：保留 {len(kept) / len(correct):.0%}，保留部分准确率 "
              f"{sum(kept) / max(1, len(kept)):.3f}，拦下错判 {dropped_wrong / wrong:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="")
    args = parser.parse_args()

    import logging

    logging.disable(logging.WARNING)
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    train, test = data.train_test_split(train_frac=0.8, random_seed=1)
    held_out = [(m.get("text"), m.get("intent")) for m in test.intent_examples]
    names = [n for n in CANDIDATES if not args.only or n in args.only.split(",")]
    print(f"训练 {len(train.intent_examples)} 条，留出 {len(held_out)} 条；每个候选训练 {args.runs} 次取中位数")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        train_file = tmp / "train.yml"
        train_file.write_text(train.nlu_as_yaml(), "utf-8")
        for name in names:
            config = tmp / f"{name}.yml"
            write_config(CANDIDATES[name], config)
            times, model = [], None
            for run in range(args.runs):
                start = time.perf_counter()
                model = train_nlu(str(config), str(train_file), str(tmp / "models"),
                                  fixed_model_name=f"{name}-{run}")
                times.append(time.perf_counter() - start)
            accuracy, f1 = evaluate(model, held_out)
            rows.append((name, statistics.median(times), accuracy, f1))
            print(f"  {name:12s} 训练 {statistics.median(times):6.1f} s  留出准确率 {accuracy:.3f}  宏F1 {f1:.3f}", flush=True)
    base = rows[0][1]
    print("\n| 分类器 | 训练时间 (中位数) | 相对第一个 | 留出准确率 | 宏F1 |")
    print("| --- | --- | --- | --- | --- |")
    for name, t, a, f in rows:
        print(f"| {name} | {t:.1f} s | {t / base:.2f}× | {a:.3f} | {f:.3f} |")


if __name__ == "__main__":
    main()
