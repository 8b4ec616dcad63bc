"""类别兜底: a not-understood message is answered by its category when the category is clear."""
from rasa.shared.nlu.training_data.message import Message

from components.category_fallback import MARK, CategoryFallback, category_answer

FALLBACKS = {"quality": "fallback_quality", "logistics": "fallback_logistics"}


def ranking(**confidences):
    return [{"name": n, "confidence": c} for n, c in confidences.items()]


def test_the_clearly_most_likely_category_answers():
    answer = category_answer(ranking(quality=0.62, product=0.3, other=0.08), FALLBACKS, 0.5)
    assert answer == {"name": "fallback_quality", "confidence": 0.62, MARK: "quality"}


def test_an_unclear_category_or_one_without_a_fallback_answer_does_not():
    assert category_answer(ranking(quality=0.45, product=0.4), FALLBACKS, 0.5) is None
    assert category_answer(ranking(basic=0.9, quality=0.1), FALLBACKS, 0.5) is None
    assert category_answer([], FALLBACKS, 0.5) is None


def component():
    return CategoryFallback({"threshold": 0.5}, None, None, FALLBACKS)


def message(intent, confidence, categories):
    msg = Message({"text": "东西有点问题"})
    msg.set("intent", {"name": intent, "confidence": confidence})
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    msg.set("category_ranking", categories)
    return msg


def test_only_a_not_understood_message_is_changed():
    understood = message("report_defect", 0.4, ranking(quality=0.9))
    component().process([understood])
    assert understood.get("intent")["name"] == "report_defect"

    fallback = message("nlu_fallback", 0.15, ranking(quality=0.7, other=0.3))
    component().process([fallback])
    assert fallback.get("intent") == {"name": "fallback_quality", "confidence": 0.7, MARK: "quality"}
    assert fallback.get("intent_ranking")[0]["name"] == "fallback_quality"

    unclear = message("nlu_fallback", 0.15, ranking(quality=0.4, other=0.35, basic=0.25))
    component().process([unclear])
    assert unclear.get("intent")["name"] == "nlu_fallback"
