"""The banks are held out: Rasa never trains on them and none of them is in data/.

bank/practice.csv is the students' practice exam; bank/blind.csv (the headline
figures), bank/dev.csv (where thresholds are chosen) and bank/holdout.csv (only ever
confirms) were written by writers who never saw data/nlu/. A training example that happens to match a bank question is
taken out of the training data, never the other way round.
"""
import csv
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PRACTICE = ROOT / "bank" / "practice.csv"
BANKS = [PRACTICE, ROOT / "bank" / "blind.csv", ROOT / "bank" / "dev.csv", ROOT / "bank" / "holdout.csv"]
AFTER_SALES = ("return", "logistics", "quality")


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


def bank_rows(bank=PRACTICE):
    with open(bank, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_no_practice_question_is_in_the_training_data():
    """Not even as a stock phrase unless it is one by the grader's own rule (在吗, 谢谢, 换货)."""
    from bot.grading.rubric import load_rubric
    from bot.textsim import normalise as leak_normalise

    min_chars = load_rubric().leak_min_chars
    seen = training_examples()
    leaked = [row["id"] for row in bank_rows() if normalise(row["text"]) in seen
              and len(leak_normalise(row["text"], numbers="drop")) >= min_chars]
    assert leaked == []


@pytest.mark.parametrize("bank", BANKS, ids=lambda p: p.name)
def test_no_bank_question_is_nearly_identical_to_a_training_example(bank):
    """The grader's own leakage check (the one that marks student copies) finds none."""
    from bot.grading.bank import load_bank
    from bot.grading.rubric import load_rubric
    from bot.grading.static import leakage
    from bot.project_files import read_training_data

    examples, _, _ = read_training_data(ROOT)
    rubric = load_rubric()
    leaks = leakage(load_bank(bank).questions, examples, rubric.leak_threshold, rubric.leak_min_chars)
    assert sorted(leaks) == []


@pytest.mark.parametrize("bank", BANKS, ids=lambda p: p.name)
def test_bank_is_outside_the_training_data_folder(bank):
    assert ROOT / "data" not in bank.parents
    assert bank.exists()


def test_practice_bank_covers_each_category_with_at_least_100_questions():
    counts = {}
    for row in bank_rows():
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    assert {k: v >= 100 for k, v in counts.items()} == {
        "return": True, "logistics": True, "quality": True, "negative": True}


def test_blind_bank_has_150_per_graded_category_and_200_negatives():
    from bot.grading.bank import load_bank

    counts = {}
    for question in load_bank(ROOT / "bank" / "blind.csv").questions:
        counts[question.category] = counts.get(question.category, 0) + 1
    assert all(counts[c] >= 150 for c in AFTER_SALES), counts
    assert counts["negative"] >= 200, counts


def test_practice_intents_exist_and_match_their_topic_category():
    """Rows written by the project name their intent; rows written blind (ids R?nnn) leave it empty."""
    intents = yaml.safe_load((ROOT / "shop" / "intents.yml").read_text("utf-8"))["intents"]
    rows = bank_rows()
    assert all(row["intent"] or row["id"][:2] in ("RR", "RL", "RQ", "RN") for row in rows)
    for row in (r for r in rows if r["intent"]):
        category = intents[row["intent"]]["category"]
        if row["category"] == "negative":
            assert category not in AFTER_SALES, row["id"]
        else:
            assert category == row["category"], row["id"]
