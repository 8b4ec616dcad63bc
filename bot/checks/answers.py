"""Check 4: answers (domain.yml responses) against the course's answer rules.

The rules (polite words, absolute promises, 极限词, impolite wording, placeholders with
their documented exceptions, lengths) live in the rubric's `answer_quality:` section and
are applied by bot/answer_rules.py, which the grader uses too: an answer this check
passes loses no points for its wording in `grade`. The rubric read is the course's
bank/rubric.yml unless `check --rubric FILE` names the teacher's own, as `grade --rubric`.
This module only places each finding at the answer's line with its Chinese advice.

Also checked here, outside the rubric because they depend on the project: every
{variable} is a domain slot, a key of shop/policy.yml or (for answers the custom actions
send) a name in the actions' code.
"""
from __future__ import annotations

import re
from typing import Dict, Iterator, List, Optional, Set

import yaml

from bot import answer_rules as ar
from bot.answer_rules import AnswerFinding, AnswerRules
from bot.checks.findings import Finding, error, warning
from bot.checks.model import Model, Variant
from bot.checks.structure import actions_code, named_in_code, used_by_actions
from bot.project import REFERENCE_ROOT
from bot.workspace import PLACEHOLDER as UNWRITTEN_MARKER

VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _words(f: AnswerFinding) -> str:
    return "、".join(f.words)


def _superlative_fix(f: AnswerFinding) -> str:
    advice = "删掉极限词，用具体事实代替，例如“很受欢迎”“回购率高”“性价比很高”。"
    if any(w.startswith("最好") for w in f.words):
        advice += "“您最好……”这样的建议可以改成“建议您……”。"
    return advice


# code -> (severity, message after "答案 NAME ", fix); message and fix get the finding and the rules
MESSAGES: Dict[str, tuple] = {
    ar.EMPTY: (error, lambda f, r: "的 text 是空的：顾客会收到一条空消息。",
               lambda f: "写上真正要对顾客说的话，例如 \"亲，……\"。"),
    ar.UNWRITTEN: (error, lambda f, r: f"还没写：里面还是练习工作区留的“{UNWRITTEN_MARKER}”。",
                   lambda f: "删掉占位文字，写上真正要对顾客说的话（称呼“亲/您”，不用极限词和绝对化承诺）。"),
    ar.PROMISE: (error, lambda f, r: f"用了绝对化承诺：{_words(f)}。客服不能做做不到的保证，出了问题会被投诉。",
                 lambda f: "换成有余地的说法，例如“会尽快为您处理”“一般”“通常”“以实际为准”；"
                           "如果是提醒顾客“一定要……”，可以改成“记得……”“建议您……”。"),
    ar.SUPERLATIVE: (error, lambda f, r: f"用了广告法禁止的极限词：{_words(f)}。", _superlative_fix),
    ar.IMPOLITE: (error, lambda f, r: f"的用语不礼貌：{_words(f)}。",
                  lambda f: "换成礼貌、给出办法的说法，例如“亲，小悦帮您查一下”“很抱歉，这个问题小悦帮您转人工确认哦”。"),
    ar.PLACEHOLDER: (error, lambda f, r: f"里还留着占位内容：{_words(f)}。顾客会原样看到它。",
                     lambda f: "把占位内容换成真正要对顾客说的话。"),
    ar.NO_HONORIFIC: (warning, lambda f, r: f"里没有“{'”或“'.join(p.word for p in r.polite)}”："
                                            "课程要求称呼顾客“亲/您”，显得亲切有礼貌。",
                      lambda f: "在开头加上“亲，”，或者把“你”换成“您”。"),
    ar.TOO_SHORT: (warning, lambda f, r: f"只有 {f.length} 个字（至少 {r.min_length} 个字，{{变量}} 按 4 个字算）："
                                         "太短的回答顾客会觉得敷衍。",
                   lambda f: "把话说完整：先称呼“亲”，再给出具体的答复。"),
    ar.TOO_LONG: (warning, lambda f, r: f"有 {f.length} 个字（最多 {r.max_length} 个字）：顾客在手机上很难看完。",
                  lambda f: "删掉重复的话，或者把它拆成两条答案。"),
}


def finding(rules: AnswerRules, file: str, name: str, line: int, f: AnswerFinding) -> Finding:
    severity, message, fix = MESSAGES[f.code]
    return severity(f.code, file, line, f"答案 {name} {message(f, rules)}", fix(f))


def policy_keys(model: Model) -> Optional[Set[str]]:
    """The {variables} shop/policy.yml provides; None when it cannot be read (then
    unknown variables are not reported: the file's own error says what is wrong).
    A project without the file uses the reference project's, like the actions do."""
    if model.policy_keys is not None:
        return model.policy_keys
    if "policy" in model.unreadable:
        return None
    try:
        data = yaml.safe_load((REFERENCE_ROOT / "shop" / "policy.yml").read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return {str(k) for k in data} if isinstance(data, dict) else None


def check(model: Model, rules: AnswerRules) -> List[Finding]:
    domain = model.domain
    if domain is None:
        return []
    policy = policy_keys(model)
    known = None if policy is None else set(domain.slots) | policy
    code = actions_code()
    findings: List[Finding] = []
    for response in domain.responses.values():
        if not response.variants:
            findings.append(error(
                ar.EMPTY, domain.file, response.line,
                f"答案 {response.name} 下面没有内容。",
                "在下一行写上：  - text: \"亲，……\"（把 …… 换成真正的回答）。"))
            continue
        by_actions = used_by_actions(response.name, code)
        for variant in response.variants:
            if variant.text is None:
                continue  # an image/custom-only answer
            found = rules.check(variant.text)
            findings += [finding(rules, domain.file, response.name, variant.line, f) for f in found]
            if not found or found[0].code not in (ar.EMPTY, ar.UNWRITTEN):
                findings += _variables(domain.file, response.name, variant, known, by_actions, code)
    return findings


def _variables(file: str, name: str, variant: Variant, known: Optional[Set[str]],
               by_actions: bool, code: str) -> Iterator[Finding]:
    for m in ar.VARIABLE.finditer(variant.text):
        var = m.group(1).strip()
        if not var:
            continue  # an empty {} is a placeholder of the rubric's
        if not VARIABLE_NAME.fullmatch(var):
            yield error(
                "answers.variable", file, variant.line,
                f"答案 {name} 里的 {{{var}}} 不是合法的变量名：变量名只能用英文字母、数字和下划线。",
                "改成 shop/policy.yml 里的变量名（例如 {return_days}），或者直接写成文字。")
        elif not (known is None or var in known or (by_actions and named_in_code(var, code))):
            yield error(
                "answers.variable", file, variant.line,
                f"答案 {name} 里的变量 {{{var}}} 既不是 domain.yml 的槽位，也不是 shop/policy.yml 里的政策项：顾客会原样看到 {{{var}}}。",
                "改成 shop/policy.yml 里已有的变量名（注意拼写），或者先在 shop/policy.yml 里加上这一项。")
