"""Verdicts, metrics and the score as pure functions of what the bot did."""
import pytest

from bot.grading.bank import Question
from bot.grading.rubric import load_rubric
from bot.grading.scenarios import Scenario, Step, check_turn
from bot.grading.scoring import component_values, judge, judge_scenario, metrics, outcome, score

RUBRIC = load_rubric()
CATEGORIES = {"request_return": "return", "where_is_parcel": "logistics", "report_damaged": "quality",
              "ask_courier": "basic", "complain": "other", "greet": "basic"}


def question(key, category, text="题目", must=(), intent=""):
    return Question(key=key, id=key, text=text, category=category, label=category,
                    must_include=tuple(tuple(g) for g in must), intent=intent)


def turn(intent, reply="亲，麻烦发一下订单号哦～", actions=("order_form",), confidence=0.9):
    return {"intent": intent, "confidence": confidence, "actions": list(actions),
            "replies": [reply] if reply else [], "ranking": []}


@pytest.mark.parametrize("bot_turn, expected", [
    (turn("request_return"), "return"),
    (turn("nlu_fallback", actions=["action_unrecognised"]), "fallback"),
    (turn("ask_courier", actions=["action_unrecognised"]), "fallback"),   # core fallback
    (turn("complain", actions=["action_handoff"]), "handoff"),
    (turn("request_return", reply=""), "silent"),
    (turn("made_up_intent"), "unregistered"),
])
def test_outcome(bot_turn, expected):
    assert outcome(bot_turn, CATEGORIES, RUBRIC) == expected


def test_covered_needs_the_category_a_real_answer_and_the_words():
    q = question("R1", "return", must=[("订单号", "单号")])
    assert judge(q, turn("request_return"), CATEGORIES, RUBRIC)["status"] == "covered"
    wrong = judge(q, turn("where_is_parcel"), CATEGORIES, RUBRIC)
    assert wrong["status"] == "wrong_category" and "where_is_parcel" in wrong["hint"]
    assert "data/nlu/returns.yml" in wrong["hint"]
    placeholder = judge(q, turn("request_return", reply="【请在这里写答案】顾客问……"), CATEGORIES, RUBRIC)
    assert placeholder["status"] == "placeholder"
    unfilled = judge(q, turn("request_return", reply="亲，订单{order_id}已发货"), CATEGORIES, RUBRIC)
    assert unfilled["status"] == "placeholder"
    missing = judge(q, turn("request_return", reply="亲，可以退的～"), CATEGORIES, RUBRIC)
    assert missing["status"] == "missing_words" and missing["missing_words"] == ["订单号|单号"]
    assert judge(q, turn("complain", actions=["action_handoff"]), CATEGORIES, RUBRIC)["status"] == "handoff"
    not_understood = judge(q, turn("nlu_fallback", actions=["action_unrecognised"]), CATEGORIES, RUBRIC)
    assert not_understood["status"] == "fallback" and "加入类似的说法" in not_understood["hint"]
    no_rule = judge(q, turn("request_return", actions=["action_unrecognised"]), CATEGORIES, RUBRIC)
    assert no_rule["status"] == "fallback" and "在 data/rules/ 给 request_return 加一条规则" in no_rule["hint"]


def test_leaked_question_is_never_covered():
    q = question("R1", "return")
    leak = [{"text": "题目", "intent": "request_return", "place": "data/nlu/returns.yml:9", "similarity": 1.0}]
    verdict = judge(q, turn("request_return"), CATEGORIES, RUBRIC, leak)
    assert verdict["status"] == "leaked"
    assert "data/nlu/returns.yml:9" in verdict["hint"]


def test_negatives_are_wrong_only_when_answered_as_after_sales():
    q = question("N1", "negative")
    assert judge(q, turn("ask_courier", reply="亲，默认发中通～", actions=["utter_ask_courier"]),
                 CATEGORIES, RUBRIC)["status"] == "correct"
    assert judge(q, turn("nlu_fallback", actions=["action_unrecognised"]), CATEGORIES, RUBRIC)["status"] == "correct"
    assert judge(q, turn("where_is_parcel"), CATEGORIES, RUBRIC)["status"] == "misrouted"


def test_metrics_empty_category_is_not_applicable_not_100_percent():
    questions = [question("R1", "return"), question("R2", "return"), question("N1", "negative")]
    verdicts = {
        "R1": judge(questions[0], turn("request_return"), CATEGORIES, RUBRIC),
        "R2": judge(questions[1], turn("nlu_fallback", actions=["action_unrecognised"]), CATEGORIES, RUBRIC),
        "N1": judge(questions[2], turn("where_is_parcel"), CATEGORIES, RUBRIC),
    }
    m = metrics(questions, verdicts)
    assert m["categories"]["return"] == {**m["categories"]["return"], "total": 2, "covered": 1, "coverage": 0.5,
                                         "missing": ["R2"], "failures": {"fallback": 1}}
    assert m["categories"]["logistics"]["coverage"] is None
    assert m["negatives"] == {**m["negatives"], "total": 1, "misrouted": 1, "misroute_rate": 1.0}
    rates = m["rates"]
    assert rates["recognition"] == round(2 / 3, 4)      # one fallback out of three
    assert rates["coverage"] == 0.5                     # after-sales only
    assert rates["misanswer"] == 0.5                    # N1 answered wrongly, R1 rightly
    assert rates["handoff"] == 0.0
    assert m["confusion"] == {"return": {"return": 1, "fallback": 1}, "negative": {"logistics": 1}}


def test_score_leaves_out_what_was_not_measured_and_rescales():
    values = {"coverage": 1.0, "negatives": None, "scenarios": None, "answer_quality": 0.5, "hygiene": 1.0}
    result = score(values, RUBRIC)
    w = RUBRIC.weights
    expected = (w["coverage"] * 1.0 + w["answer_quality"] * 0.5 + w["hygiene"] * 1.0) / (
        w["coverage"] + w["answer_quality"] + w["hygiene"]) * 100
    assert result["score"] == round(expected, 1)
    assert result["parts"]["negatives"]["points"] is None
    assert sum(p["max_points"] for p in result["parts"].values()) == pytest.approx(100)


def test_a_project_that_did_not_run_gets_zero_for_the_running_parts():
    questions = [question("R1", "return"), question("N1", "negative")]
    verdicts = {q.key: judge(q, None, CATEGORIES, RUBRIC) for q in questions}
    m = metrics(questions, verdicts)
    static = {"answer_quality": {"value": 1.0}, "hygiene": {"value": 0.5}}
    values = component_values(m, [{"passed": False}], static, ran=False)
    assert values == {"coverage": 0.0, "negatives": 0.0, "scenarios": 0.0, "answer_quality": 1.0, "hygiene": 0.5}
    assert m["categories"]["return"]["coverage"] == 0.0 and m["counts"]["ran"] == 0


def test_scenario_checks_each_turn():
    scenario = Scenario(key="s", name="退货", category="return", steps=[
        Step("我要退货", {"category": "return", "actions": ["order_form"], "reply_includes": ["订单号"]}),
        Step("{order}", {"actions": ["action_order_followup"], "reply_includes": ["退货期内|可以退"],
                         "no_actions": ["action_handoff"]}),
    ])
    good = [turn("request_return"),
            turn("inform", reply="亲，还在7天无理由退货期内", actions=["order_form", "action_order_followup"])]
    result = judge_scenario(scenario, {"order_id": "42", "turns": good}, CATEGORIES)
    assert result["passed"] and all(c["ok"] for t in result["turns"] for c in t["checks"])
    bad = [turn("where_is_parcel"), turn("complain", reply="转人工", actions=["action_handoff"])]
    result = judge_scenario(scenario, {"order_id": "42", "turns": bad}, CATEGORIES)
    assert not result["passed"]
    failed = [c["what"] for t in result["turns"] for c in t["checks"] if not c["ok"]]
    assert failed == ["识别为“退换货/退款”类意图", "依次执行 action_order_followup", "不执行 action_handoff",
                      "回复包含“退货期内|可以退”"]
    assert not judge_scenario(scenario, {"error": "订单数据里没有符合条件的订单"}, CATEGORIES)["passed"]


def test_actions_are_checked_in_order_with_others_between():
    checks = check_turn({"actions": ["utter_quality_apology", "order_form"]},
                        turn("report_damaged", actions=["utter_quality_apology", "order_form"]), CATEGORIES)
    assert checks[0].ok
    checks = check_turn({"actions": ["order_form", "utter_quality_apology"]},
                        turn("report_damaged", actions=["utter_quality_apology", "order_form"]), CATEGORIES)
    assert not checks[0].ok
