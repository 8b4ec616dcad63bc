"""Check 4: answers (domain.yml responses) against the course's service rules.

Seed: Chinese e-commerce customer-service rules (polite, 亲/您, no absolute promises,
no 广告法 极限词). Each rule is a list of (word, regex); exceptions are written into the
regex so they are visible in one place:

- absolute promises: 保证 (not 保证金, not 不能/无法保证), 绝对, 肯定 (not "您的肯定",
  "肯定和支持" = recognition), 一定 (not 不一定, 一定程度), 百分百/百分之百, 100% (not a
  fabric composition such as 棉100% or 100%纯棉), 永久, 终身, 无条件, 必定, 零风险, 万无一失.
- 极限词: 最 is flagged EXCEPT in words about time or quantity limits, which make no
  claim about the shop or product: 最近 最后 最终 最早 最晚 最迟 最快 最慢 最多 最少
  ("最快明天到", "最多3天"). Everything else is flagged: 最好 最低 最便宜 最佳 最新 最高 ...
  (最好 used as advice, "您最好先…", is flagged too: "建议您…" is the better wording).
  第一 is flagged except 第一次/第一时间/第一步/第一件/第一天 (order, not rank). Also
  顶级 极致 唯一 国家级 全网 全球 世界级 独家 首选 顶尖 极品 王牌 至尊 史上 冠军 无敌 万能
  NO.1 TOP1.
- impolite: 滚 (not 滚动/滚筒), 爱买不买, 你自己看, 自己看, 不知道 (not 不知道您/亲 = a
  polite question), 没办法, 不关我(们)的事, 关我什么事, 随便你, 你听不懂, 烦不烦, 别问了,
  不归我管, 少废话, 有病.
- leftover placeholders: 待填写 待补充 TODO XXX (not XXXL) 请填写 请输入 在这里写, "答案"
  used as a placeholder (答案1, 写答案, the whole text being 答案), …… / ......, empty 【】,
  full-width braces ｛｝, and any {variable} that is neither a domain slot nor a key of
  shop/policy.yml nor (for answers the custom actions send) a name in the actions' code.
- empty text: error. No 亲 or 您 anywhere in the text: warning.
- an answer a practice workspace (`python -m bot new`) left unwritten ("【请在这里写答案】"):
  one error saying so, instead of the placeholder and wording findings it would cause.
"""
from __future__ import annotations

import re
from typing import List, Optional, Pattern, Set, Tuple

import yaml

from bot.checks.findings import Finding, error, warning
from bot.checks.model import Model, Response, Variant
from bot.checks.structure import actions_code, named_in_code, used_by_actions
from bot.project import REFERENCE_ROOT

Rule = Tuple[str, Pattern[str]]


def _rules(*pairs: Tuple[str, str]) -> List[Rule]:
    return [(word, re.compile(pattern)) for word, pattern in pairs]


PROMISES = _rules(
    ("保证", r"(?<!不能)(?<!无法)(?<!不敢)(?<!没法)保证(?!金)"),
    ("绝对", r"绝对"),
    ("肯定", r"(?<!的)肯定(?![和与])"),
    ("一定", r"(?<!不)(?<!说不)一定(?!程度)"),
    ("百分百", r"百分之?百"),
    ("100%", r"(?<![\d.])(?<!棉)(?<!毛)(?<!丝)(?<!纶)(?<!酯)(?<!维)(?<!绒)(?<!麻)100\s*[%％]"
             r"(?!\s*(?:纯|棉|羊毛|真丝|桑蚕丝|聚酯|涤纶|锦纶|纤维|羊绒|亚麻))"),
    ("永久", r"永久"),
    ("终身", r"终身"),
    ("无条件", r"无条件"),
    ("必定", r"必定"),
    ("零风险", r"零风险"),
    ("万无一失", r"万无一失"),
)
SUPERLATIVES = _rules(
    ("最", r"最(?![近后终早晚迟快慢多少])[\u4e00-\u9fff]?"),
    ("第一", r"第一(?![次时步件天])"),
    ("顶级", r"顶级"), ("极致", r"极致"), ("唯一", r"唯一"), ("国家级", r"国家级"),
    ("全网", r"全网"), ("全球", r"全球"), ("世界级", r"世界级"), ("独家", r"独家"),
    ("首选", r"首选"), ("顶尖", r"顶尖"), ("极品", r"极品"), ("王牌", r"王牌"),
    ("至尊", r"至尊"), ("史上", r"史上"), ("冠军", r"冠军"), ("无敌", r"无敌"),
    ("万能", r"万能"), ("NO.1", r"(?i)\bno\.?\s*1\b"), ("TOP1", r"(?i)\btop\s*1\b"),
)
IMPOLITE = _rules(
    ("滚", r"滚(?![动筒轮珠])"),
    ("爱买不买", r"爱买不买"),
    ("你自己看", r"你自己看|自己看去|自己去看"),
    ("不知道", r"不知道(?![您亲])"),
    ("没办法", r"没办法"),
    ("不关我的事", r"不关我们?的?事"),
    ("关我什么事", r"关我什么事"),
    ("随便你", r"随便你"),
    ("你听不懂", r"你听不懂"),
    ("烦不烦", r"烦不烦"),
    ("别问了", r"别问了"),
    ("不归我管", r"不归我们?管"),
    ("少废话", r"少废话"),
    ("有病", r"有病"),
)
PLACEHOLDERS = _rules(
    ("待填写", r"待填写"), ("待补充", r"待补充"), ("TODO", r"(?i)\btodo\b"),
    ("XXX", r"(?i)(?<![a-z])x{3,}(?![a-z])"), ("请填写", r"请填写"), ("请输入", r"请输入"),
    ("在这里写", r"(?:在这里|此处)(?:写|填)"),
    ("答案", r"^\W*答案\W*\d*\W*$|答案\s*\d+|(?:写|填|放|输入)答案|示例答案"),
    ("……", r"……|\.{6}|。。。"), ("【】", r"【\s*】"), ("｛｝", r"[｛｝]"),
)
try:  # `python -m bot new` marks the answers a student still has to write
    from bot.workspace import PLACEHOLDER as UNWRITTEN_MARKER, is_placeholder as is_unwritten
except ImportError:  # pragma: no cover - the workspace module is optional
    UNWRITTEN_MARKER = "【请在这里写答案】"

    def is_unwritten(text: Optional[str]) -> bool:
        return UNWRITTEN_MARKER in (text or "")

VARIABLE = re.compile(r"\{([^{}]*)\}")
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HONORIFIC = re.compile(r"[亲您]")


def find_words(rules: List[Rule], text: str) -> List[str]:
    found = []
    for word, pattern in rules:
        for m in pattern.finditer(text):
            shown = m.group(0) if word in ("最", "XXX", "100%") else word
            if shown not in found:
                found.append(shown)
    return found


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


def check(model: Model) -> List[Finding]:
    domain = model.domain
    if domain is None:
        return []
    policy = policy_keys(model)
    known = None if policy is None else set(domain.slots) | policy
    code = actions_code(model.root)
    findings: List[Finding] = []
    for response in domain.responses.values():
        if not response.variants:
            findings.append(error(
                "answers.empty", domain.file, response.line,
                f"答案 {response.name} 下面没有内容。",
                "在下一行写上：  - text: \"亲，……\"（把 …… 换成真正的回答）。"))
            continue
        by_actions = used_by_actions(response.name, code)
        for variant in response.variants:
            findings += check_variant(domain.file, response, variant, known, by_actions, code)
    return findings


def check_variant(file: str, response: Response, variant: Variant, known: Optional[Set[str]],
                  by_actions: bool, code: str) -> List[Finding]:
    name, line = response.name, variant.line
    text = variant.text
    if text is None:
        return []  # an image/custom-only answer
    if not text.strip():
        return [error("answers.empty", file, line, f"答案 {name} 的 text 是空的：顾客会收到一条空消息。",
                      "写上真正要对顾客说的话，例如 \"亲，……\"。")]
    if is_unwritten(text):
        return [error(
            "answers.unwritten", file, line,
            f"答案 {name} 还没写：里面还是练习工作区留的“{UNWRITTEN_MARKER}”。",
            "删掉占位文字，写上真正要对顾客说的话（称呼“亲/您”，不用极限词和绝对化承诺）。")]
    findings: List[Finding] = []
    wording = VARIABLE.sub("", text)  # variable names are not wording
    words = find_words(PROMISES, wording)
    if words:
        findings.append(error(
            "answers.promise", file, line,
            f"答案 {name} 用了绝对化承诺：{'、'.join(words)}。客服不能做做不到的保证，出了问题会被投诉。",
            "换成有余地的说法，例如“会尽快为您处理”“一般”“通常”“以实际为准”；"
            "如果是提醒顾客“一定要……”，可以改成“记得……”“建议您……”。"))
    words = find_words(SUPERLATIVES, wording)
    if words:
        advice = "删掉极限词，用具体事实代替，例如“很受欢迎”“回购率高”“性价比很高”。"
        if any(w.startswith("最好") for w in words):
            advice += "“您最好……”这样的建议可以改成“建议您……”。"
        findings.append(error(
            "answers.superlative", file, line,
            f"答案 {name} 用了广告法禁止的极限词：{'、'.join(words)}。",
            advice))
    words = find_words(IMPOLITE, wording)
    if words:
        findings.append(error(
            "answers.impolite", file, line,
            f"答案 {name} 的用语不礼貌：{'、'.join(words)}。",
            "换成礼貌、给出办法的说法，例如“亲，小悦帮您查一下”“很抱歉，这个问题小悦帮您转人工确认哦”。"))
    words = find_words(PLACEHOLDERS, text)
    if words:
        findings.append(error(
            "answers.placeholder", file, line,
            f"答案 {name} 里还留着占位内容：{'、'.join(words)}。顾客会原样看到它。",
            "把占位内容换成真正要对顾客说的话。"))
    findings += _variables(file, name, line, text, known, by_actions, code)
    if not HONORIFIC.search(wording):
        findings.append(warning(
            "answers.no_honorific", file, line,
            f"答案 {name} 里没有“亲”或“您”：课程要求称呼顾客“亲/您”，显得亲切有礼貌。",
            "在开头加上“亲，”，或者把“你”换成“您”。"))
    return findings


def _variables(file: str, name: str, line: int, text: str, known: Optional[Set[str]],
               by_actions: bool, code: str) -> List[Finding]:
    findings = []
    for m in VARIABLE.finditer(text):
        var = m.group(1).strip()
        if not var:
            findings.append(error(
                "answers.placeholder", file, line,
                f"答案 {name} 里有空的大括号 {{}}：顾客会原样看到它。",
                "删掉 {}，或者在里面写上 shop/policy.yml 里的变量名。"))
            continue
        if not VARIABLE_NAME.fullmatch(var):
            findings.append(error(
                "answers.variable", file, line,
                f"答案 {name} 里的 {{{var}}} 不是合法的变量名：变量名只能用英文字母、数字和下划线。",
                "改成 shop/policy.yml 里的变量名（例如 {return_days}），或者直接写成文字。"))
            continue
        if known is None or var in known or (by_actions and named_in_code(var, code)):
            continue
        findings.append(error(
            "answers.variable", file, line,
            f"答案 {name} 里的变量 {{{var}}} 既不是 domain.yml 的槽位，也不是 shop/policy.yml 里的政策项：顾客会原样看到 {{{var}}}。",
            "改成 shop/policy.yml 里已有的变量名（注意拼写），或者先在 shop/policy.yml 里加上这一项。"))
    return findings
