"""The practice bank is held out: Rasa never trains on it and none of it is in data/."""
import csv
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "bank" / "practice.csv"


def training_examples():
    examples = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text("utf-8")).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:])
                examples.add(normalise(text))
    return examples


def normalise(text):
    return re.sub(r"\s+", "", text)


def bank_rows():
    with open(BANK, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_no_bank_question_is_in_the_training_data():
    seen = training_examples()
    leaked = [row["id"] for row in bank_rows() if normalise(row["text"]) in seen]
    assert leaked == []


def test_no_bank_question_is_nearly_identical_to_a_training_example():
    """The grader's own leakage check (the one that marks student copies) finds none."""
    from bot.grading.bank import load_bank
    from bot.grading.rubric import load_rubric
    from bot.grading.static import leakage, read_training_data

    examples, _, _ = read_training_data(ROOT)
    leaks = leakage(load_bank(BANK).questions, examples, load_rubric().leak_threshold)
    assert sorted(leaks) == []


def test_bank_is_outside_the_training_data_folder():
    assert ROOT / "data" not in BANK.parents


def test_bank_covers_each_category_with_at_least_100_questions():
    counts = {}
    for row in bank_rows():
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    assert {k: v >= 100 for k, v in counts.items()} == {
        "return": True, "logistics": True, "quality": True, "negative": True}


def test_bank_intents_exist_and_match_their_category():
    intents = yaml.safe_load((ROOT / "shop" / "intents.yml").read_text("utf-8"))["intents"]
    for row in bank_rows():
        category = intents[row["intent"]]["category"]
        if row["category"] == "negative":
            assert category not in ("return", "logistics", "quality"), row["id"]
        else:
            assert category == row["category"], row["id"]
