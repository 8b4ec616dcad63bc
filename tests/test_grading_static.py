"""Leakage, training-data hygiene and answer quality, read from a project's files."""
import shutil

import pytest

from bot.grading.bank import Question
from bot.grading.rubric import load_rubric
from bot.grading.static import analyse, answer_quality, hygiene, leakage, response_problems
from bot.project import REFERENCE_ROOT
from bot.project_files import Example
from bot.textsim import NearIndex, normalise, similarity

RUBRIC = load_rubric()


def q(key, text, category="return"):
    return Question(key=key, id=key, text=text, category=category, label=category)


def test_near_index_finds_identical_and_nearly_identical_only():
    index = NearIndex(["充电宝发烫得厉害 不敢用了", "我要退货", "质量有问题"])
    assert index.search("充电宝发烫很厉害 不敢用了", 0.9) == [(0, pytest.approx(similarity(
        normalise("充电宝发烫很厉害 不敢用了"), normalise("充电宝发烫得厉害 不敢用了"))))]
    assert index.search("我要退货吗", 0.9) == [(1, 1.0)]
    assert index.search("我要换货", 0.9) == []
    assert index.search("", 0.9) == []


def test_leakage_lists_the_training_examples_a_question_was_copied_from():
    examples = [Example("退货寄到哪里", "request_return", "data/nlu/returns.yml", 49),
                Example("快递到哪了", "where_is_parcel", "data/nlu/logistics.yml", 9)]
    questions = [q("R1", "退货寄到哪里啊"), q("R2", "这个怎么退"), q("L1", "快递到哪了 4205775081856551305", "logistics")]
    leaks = leakage(questions, examples, RUBRIC.leak_threshold, min_chars=0)
    assert sorted(leaks) == ["L1", "R1"]
    assert leaks["R1"] == [{"text": "退货寄到哪里", "intent": "request_return",
                            "place": "data/nlu/returns.yml:49", "similarity": 1.0}]


def test_stock_phrases_and_inherited_examples_are_never_leaks():
    examples = [Example(text, "x", "data/nlu/basic.yml", i) for i, text in enumerate(
        ["在吗", "我要退货", "快递到哪了", "买的台灯用了两天就不亮了怎么办", "行李箱的轮子摔掉了一个"])]
    questions = [q("S1", "在吗"), q("S2", "我要退货！"), q("S3", "快递到哪了呢", "logistics"),
                 q("Q1", "买的台灯用了两天就不亮了 怎么办", "quality"), q("Q2", "行李箱的轮子摔掉了一个", "quality")]
    assert RUBRIC.leak_min_chars == 6
    leaks = leakage(questions, examples, RUBRIC.leak_threshold, RUBRIC.leak_min_chars)
    assert sorted(leaks) == ["Q1", "Q2"]  # the long, specific ones only
    inherited = {normalise("行李箱的轮子摔掉了一个", numbers="drop")}
    assert sorted(leakage(questions, examples, RUBRIC.leak_threshold, RUBRIC.leak_min_chars,
                          inherited)) == ["Q1"]


def test_stock_phrases_count_once_copying_is_established():
    stock = ["在吗", "我要退货", "快递到哪了"]
    specific = ["买的台灯用了两天就不亮了怎么办", "行李箱的轮子摔掉了一个", "电饭煲内胆的涂层掉了一块"]
    questions = [q(f"Q{i}", text) for i, text in enumerate(stock + specific)]
    copied_two = [Example(t, "x", "data/nlu/basic.yml", i) for i, t in enumerate(stock + specific[:2])]
    copied_three = copied_two + [Example(specific[2] + "啊", "x", "data/nlu/basic.yml", 9)]
    assert RUBRIC.leak_evidence == 3
    two = leakage(questions, copied_two, RUBRIC.leak_threshold, RUBRIC.leak_min_chars,
                  evidence=RUBRIC.leak_evidence)
    assert list(two) == ["Q3", "Q4"]  # two specific copies: the stock phrases get the benefit of the doubt
    three = leakage(questions, copied_three, RUBRIC.leak_threshold, RUBRIC.leak_min_chars,
                    evidence=RUBRIC.leak_evidence)
    assert list(three) == ["Q0", "Q1", "Q2", "Q3", "Q4", "Q5"]  # in the bank's order
    inherited = {normalise(t, numbers="drop") for t in stock}
    assert list(leakage(questions, copied_three, RUBRIC.leak_threshold, RUBRIC.leak_min_chars,
                        inherited, RUBRIC.leak_evidence)) == ["Q3", "Q4", "Q5"]


def test_hygiene_findings_carry_their_places():
    examples = ([Example(f"退货问法{i}号", "request_return", "data/nlu/returns.yml", 10 + i) for i in range(12)]
                + [Example("好的谢谢", "affirm", "data/nlu/other.yml", 6), Example("好的谢谢", "thanks", "data/nlu/basic.yml", 80),
                   Example("我的快递到哪了", "where_is_parcel", "data/nlu/logistics.yml", 5),
                   Example("我快递到哪啦", "where_is_parcel", "data/nlu/logistics.yml", 7),
                   Example("好的", "affirm", "data/nlu/other.yml", 8), Example("好", "affirm", "data/nlu/other.yml", 9)])
    broken = [{"file": "data/nlu/quality.yml", "message": "YAML 格式错误（第 8 行附近）"}]
    result = hygiene(examples, ["request_return", "affirm", "thanks", "where_is_parcel", "ask_gift"], broken, RUBRIC)
    thin = {t["intent"]: t["count"] for t in result["thin_intents"]}
    assert thin == {"affirm": 3, "thanks": 1, "where_is_parcel": 2, "ask_gift": 0}
    assert result["conflicts"] == [{"text": "好的谢谢", "intents": ["affirm", "thanks"],
                                    "places": ["data/nlu/other.yml:6", "data/nlu/basic.yml:80"]}]
    # "好的"/"好" are too short to count; the two 快递 sentences differ only by 的 and 了/啦.
    assert [(n["a"], n["b"], n["places"]) for n in result["near_duplicates"]] == [
        ("我的快递到哪了", "我快递到哪啦", ["data/nlu/logistics.yml:5", "data/nlu/logistics.yml:7"])]
    penalty = RUBRIC.penalty
    assert result["value"] == pytest.approx(1 - 4 * penalty["thin_intent"] - penalty["conflict"]
                                            - penalty["near_duplicate"] - penalty["broken_file"])
    assert result["findings"] == 7


@pytest.mark.parametrize("text, problem", [
    ("【请在这里写答案】顾客问“包邮吗”时，小悦怎么回答？", "占位符"),
    ("TODO", "占位符"),
    ("包邮的", "缺少礼貌称呼"),
    ("亲，保证七天内到货～", "绝对化承诺：保证"),
    ("亲，这是全网最低价哦", "极限词：最低、全网"),
    ("亲～", "太短"),
    ("亲，" + "很长" * 150, "太长"),
])
def test_response_problems(text, problem):
    assert any(problem in p for p in response_problems(text, RUBRIC))


def test_variables_count_as_text():
    assert response_problems("亲，{gift}～", RUBRIC) == []


def test_answer_quality_checks_rules_and_conditional_answers():
    domain = {"intents": ["greet", "where_is_parcel", "request_return", "ask_gift"],
              "responses": {"utter_greet": [{"text": "亲，您好～欢迎光临"}], "utter_ask_gift": [{"text": "TODO"}]}}
    flows = [{"steps": [{"intent": "greet"}, {"action": "utter_greet"}]},
             {"steps": [{"intent": "where_is_parcel"}, {"action": "utter_ask_delivery_time"}]},
             {"steps": [{"or": [{"intent": "request_return"}]}, {"action": "order_form"}]}]
    result = answer_quality(domain, flows, [], RUBRIC)
    assert result["unanswered_intents"] == ["ask_gift"]
    assert result["conditional_checked"] == ["request_return", "where_is_parcel"]
    assert result["conditional_missing"] == ["where_is_parcel"]
    assert [r["response"] for r in result["responses"]] == ["utter_ask_gift"]
    assert result["parts"] == {"answered": 0.75, "responses": 0.5, "conditional": 0.5}


def test_broken_training_file_is_a_finding_not_a_crash(tmp_path):
    project = tmp_path / "student"
    for name in ("domain.yml", "config.yml"):
        shutil.copy(REFERENCE_ROOT / name, project / name) if project.exists() else (
            project.mkdir(), shutil.copy(REFERENCE_ROOT / name, project / name))
    shutil.copytree(REFERENCE_ROOT / "data", project / "data")
    (project / "data" / "nlu" / "returns.yml").write_text("nlu:\n- intent: x\n  examples: |\n\t- 坏的\n", "utf-8")
    result = analyse(project, [q("R1", "我要退货")], RUBRIC)
    assert {"file": "data/nlu/returns.yml", "message": "YAML 格式错误（第 4 行附近）"} in result["hygiene"]["broken_files"]
    assert result["answer_quality"]["value"] is not None


def test_the_reference_answers_pass_every_answer_check():
    result = analyse(REFERENCE_ROOT, [], RUBRIC)["answer_quality"]
    assert (result["unanswered_intents"], result["conditional_missing"], result["responses"]) == ([], [], [])
