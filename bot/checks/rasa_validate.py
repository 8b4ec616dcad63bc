"""Check 6: Rasa's own `rasa data validate`, run in a subprocess and told in Chinese.

Rasa prints warnings (`...py:100: UserWarning: The intent 'x' is not used...`), log lines
(`2026-... WARNING rasa.validator - Story structure conflict ...`) and, when a file cannot
be read, one exception (`YamlSyntaxException: ...`). The output is cut into records, each
record is matched against the patterns below and becomes a Finding located with the
project model. What our own checks already said is not repeated (`covered_by`), and
Rasa's false alarm about form questions (utter_ask_<slot> "not used") is dropped. Every
record keeps Rasa's own words in `original` (shown with --verbose); a record we cannot
translate is still reported, with its original text.
"""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Set, Tuple, Union

from bot.checks.findings import Finding, error, warning
from bot.checks.model import Example, Flow, Model, Step
from bot.checks.structure import actions_code, used_by_actions, used_responses
from bot.checks.yaml_syntax.explain import translate_first
from bot.course import MIN_EXAMPLES
from bot.processes import python_environment

SECONDS = "15–25"
TIMEOUT = 600
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# the first line of each kind of record
STARTS = {
    "warning": re.compile(r"^\S+?\.py:\d+: (?P<level>\w+): (?P<text>.*)$"),
    "log": re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(?P<level>[A-Z]+)\s+(?P<source>\S+)\s+- (?P<text>.*)$"),
    "exception": re.compile(r"^(?P<level>\w+(?:Exception|Error)): (?P<text>.*)$"),
}
STANDALONE = {"Project validation completed with errors.",
              "Encountered empty domain during validation."}

# Run Rasa's own CLI with the current directory removed from sys.path: `python -m` and
# `-c` put it first, and a student's project must never shadow the reference code.
BOOT = "import sys; del sys.path[0]; sys.argv[0] = 'rasa'; from rasa.__main__ import main; main()"


@dataclass
class RasaRun:
    returncode: int
    output: str


def run_validate(root: Path, timeout: float = TIMEOUT) -> RasaRun:
    # Rasa's UserWarnings are what we translate, and its WARNING logs (story conflicts):
    # Rasa's log level comes from LOG_LEVEL, which Rasa itself writes into os.environ when
    # a process loads a model (set_log_level), so a caller that chatted with the bot first
    # would silence them.
    env = python_environment(PYTHONWARNINGS=None, LOG_LEVEL="INFO", LOG_LEVEL_LIBRARIES="ERROR",
                             SHOP_DIR=str(root / "shop"))
    cmd = [sys.executable, "-c", BOOT, "data", "validate",
           "--domain", "domain.yml", "--data", "data", "--config", "config.yml"]
    try:
        result = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", errors="replace")
        return RasaRun(-1, out + f"\n(timeout after {timeout:.0f}s)")
    return RasaRun(result.returncode, result.stdout.decode("utf-8", errors="replace"))


@dataclass
class Record:
    kind: str          # "warning", "log", "exception", "plain"
    level: str         # UserWarning / WARNING / ERROR / exception class
    source: str        # logger name or ""
    text: str          # the message, continuation lines joined with "\n"

    @property
    def relevant(self) -> bool:
        if self.kind == "warning":
            return self.level == "UserWarning"
        if self.kind == "log":
            return self.level in ("WARNING", "ERROR", "CRITICAL") and self.source.startswith("rasa")
        return self.kind == "exception"


def records(output: str) -> List[Record]:
    found: List[Record] = []
    current: Optional[Record] = None
    for raw in ANSI.sub("", output).replace("\r\n", "\n").split("\n"):
        line = raw.split("\r")[-1]  # progress bars redraw with \r
        if not line.strip() or "Processed story blocks" in line or "Processed trackers" in line:
            continue
        kind, m = next(((k, m) for k, p in STARTS.items() if (m := p.match(line))), ("", None))
        if m:
            current = Record(kind, m["level"], m.groupdict().get("source", ""), m["text"])
            found.append(current)
        elif line.strip() in STANDALONE:
            found.append(Record("plain", "", "", line.strip()))
            current = None
        elif current is not None and not line.strip().startswith("More info at"):
            current.text += "\n" + line
    return found


@dataclass
class Translated:
    finding: Optional[Finding]
    covered_by: Sequence[Tuple[str, ...]] = ()
    yaml_file: Optional[str] = None   # a file-level YAML problem (covered by check 1)
    dropped: str = ""                 # why Rasa's words are not shown (false alarm)


Place = Tuple[Optional[str], Optional[int]]   # (file, line) of a finding


def _place(found: Optional[Union[Step, Flow, Example]]) -> Place:
    return (found.file, found.line) if found is not None else (None, None)


@dataclass
class Locator:
    """Finds the file:line of names Rasa mentions, using the project model."""
    model: Model

    def intent(self, name: str) -> Place:
        d = self.model.domain
        if d and name in d.intents:
            return d.file, d.intents[name]
        return _place(next((b for b in self.model.nlu if b.name == name), None) or self.step("intent", name))

    def response(self, name: str) -> Place:
        d = self.model.domain
        if d and name in d.responses:
            return d.file, d.responses[name].line
        step = self.step("action", name)
        return _place(step) if step else (d.file if d else None, None)

    def step(self, kind: str, name: str, flow_name: Optional[str] = None) -> Optional[Step]:
        return next((step for flow in self.model.flows if flow_name is None or flow.name == flow_name
                     for step in flow.steps + flow.condition if step.kind == kind and step.name == name), None)

    def relative(self, path: str) -> str:
        root = self.model.root
        try:  # an absolute `path` replaces the root
            return (root / path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path

    def text_line(self, rel: str, text: str) -> Optional[int]:
        parsed = self.model.files.get(rel)
        lines = parsed.source.lines if parsed is not None and text else []
        return next((n for n, line in enumerate(lines, 1) if text in line), None)


def _conflict(rec: Record, loc: Locator) -> Translated:
    head = re.match(r"Story structure conflict (?:after (intent|action|bot utterance|user utterance) '(.*?)'"
                    r"|at the beginning of stories)", rec.text)
    where = {"intent": "意图", "action": "动作", "bot utterance": "机器人回复", "user utterance": "顾客的话"}
    after = f"在{where[head.group(1)]} {head.group(2)} 之后" if head and head.group(1) else "在对话开头"
    first = {f.name: f for f in reversed(loc.model.flows)}  # the first flow of each name
    branches = []
    flows: List[Flow] = []
    for action, names in re.findall(r"^\s+(\S+) predicted in (.+)$", rec.text, re.M):
        story_names = re.findall(r"'([^']*)'", names)
        extra = re.search(r"and (\d+) other trackers", names)
        label = "、".join(f"「{s}」" for s in story_names) + (f" 等 {extra.group(1)} 处" if extra else "")
        branches.append(f"{label}接着执行 {action}")
        flows += [first[s] for s in story_names if s in first]
    return Translated(error(
        "rasa.conflict", *_place(flows[0] if flows else None),
        f"故事/规则冲突：{after}，" + "，而".join(branches) + "。同样的对话走到这里，机器人不知道该做哪一个。",
        "让这几个故事在这一步接同一个动作；如果顾客的情况确实不同，在前面加上能区分它们的一步"
        "（不同的意图或 slot_was_set）。",
        also=[(f.file, f.line) for f in flows[1:]], original=rec.text))


def translate(rec: Record, model: Model) -> Translated:
    loc = Locator(model)
    text = rec.text.strip()
    d = model.domain

    def found(severity: Callable[..., Finding], code: str, place: Place, message: str, fix: str,
              covered: Sequence[Tuple[str, ...]] = (), yaml_file: Optional[str] = None) -> Translated:
        return Translated(severity(code, *place, message, fix, original=text), covered, yaml_file)

    if text.startswith("Story structure conflict"):
        return _conflict(rec, loc)
    m = re.search(r"The intent '(.+?)' is listed in the domain file, but is not found in the NLU training data", text)
    if m and m.group(1) in model.fallback_intents:
        return Translated(None, dropped=f"{m.group(1)} 是类别兜底意图：按类别选出，不需要例句")
    if m:
        return found(error, "rasa.intent_no_examples", loc.intent(m.group(1)),
                     f"Rasa：意图 {m.group(1)} 在 domain.yml 里登记了，但训练数据里没有它的例句。",
                     f"在 data/nlu/ 里为它写至少 {MIN_EXAMPLES} 条例句。", [("intent_no_examples", m.group(1))])
    m = re.search(r"labeled with intent '(.+?)'\. This intent is not listed in your domain", text) or \
        re.search(r"The intent '(.+?)' is used in your stories, but it is not listed in the domain", text) or \
        re.search(r"Found intent '(.+?)' in stories which is not part of the domain", text)
    if m:
        return found(error, "rasa.intent_not_in_domain", loc.intent(m.group(1)),
                     f"Rasa：意图 {m.group(1)} 没有在 domain.yml 的 intents: 里登记。",
                     f"在 domain.yml 的 intents: 下加 '  - {m.group(1)}'，或者改正拼写。",
                     [("intent_not_in_domain", m.group(1))])
    if m := re.search(r"The example '(.+?)' was found labeled with multiple different intents"
                      r".*labeled with: (.+?)\.?$", text, re.S):
        example = next((e for b in model.nlu for e in b.examples if e.plain == m.group(1)), None)
        return found(error, "rasa.two_intents", _place(example),
                     f"Rasa：例句「{m.group(1)}」同时属于多个意图（{m.group(2)}）。",
                     "只在一个意图里保留它。", [("two_intents", m.group(1))])
    if m := re.search(r"The intent '(.+?)' is not used in any story or rule", text):
        return found(warning, "rasa.intent_unused", loc.intent(m.group(1)),
                     f"Rasa：意图 {m.group(1)} 没有被任何规则或故事用到，顾客问了机器人也不会回答。",
                     f"在 data/rules/ 对应的文件里加一条规则：intent: {m.group(1)} → action: utter_{m.group(1)}。",
                     [("intent_no_answer", m.group(1)), ("response_unused", f"utter_{m.group(1)}"),
                      ("intent_not_in_domain", m.group(1)), ("intent_no_examples", m.group(1))])
    if m := re.search(r"The utterance '(.+?)' is not used in any story or rule", text):
        name = m.group(1)
        if d is not None and name in used_responses(model):
            return Translated(None, dropped=f"{name} 是表单的提问（utter_ask_槽位名），Rasa 误报")
        if d is not None and used_by_actions(name, actions_code()):
            return Translated(None, dropped=f"{name} 由自定义动作（actions/）发送，Rasa 看不到，误报")
        return found(warning, "rasa.response_unused", loc.response(name), f"Rasa：答案 {name} 没有被任何规则或故事用到。",
                     "在规则里使用它，或者删掉它。", [("response_unused", name)])
    if m := re.search(r"The action '(.+?)' is used in the stories, "
                      r"but is not a valid utterance action", text):
        return found(error, "rasa.unknown_response", _place(loc.step("action", m.group(1))),
                     f"Rasa：规则/故事里的 {m.group(1)} 在 domain.yml 的 responses: 里找不到。",
                     f"在 domain.yml 的 responses: 下写上 {m.group(1)}，或者改正拼写。", [("unknown_action", m.group(1))])
    if m := re.search(r"The (form|action) '(.+?)' is used in the '(.+?)' block, "
                      r"but it is not listed in the domain", text):
        step = loc.step("action", m.group(2), m.group(3)) or loc.step("active_loop", m.group(2), m.group(3))
        what = "表单" if m.group(1) == "form" else "动作"
        return found(error, "rasa.unknown_action", _place(step),
                     f"Rasa：「{m.group(3)}」里用了{what} {m.group(2)}，但 domain.yml 里没有登记它。",
                     f"检查拼写；{what}名要和 domain.yml 的 {'forms' if m.group(1) == 'form' else 'actions'}: 一致。",
                     [("unknown_action", m.group(2)), ("unknown_form", m.group(2))])
    if m := re.search(r"The form slot '(.+?)' in form '(.+?)' "
                      r"is not present in the domain slots", text):
        line = d.forms[m.group(2)].line if d and m.group(2) in d.forms else None
        return found(error, "rasa.unknown_slot", (d.file if d else None, line),
                     f"Rasa：表单 {m.group(2)} 要收集的槽位 {m.group(1)} 在 domain.yml 的 slots: 里没有。",
                     "在 slots: 里加上这个槽位，或者改正拼写。", [("unknown_slot", m.group(1))])
    if m := re.search(r"Issue found while processing '(.+?)': "
                      r"Intent '(.+?)' has no examples", text):
        return found(error, "rasa.intent_no_examples", loc.intent(m.group(2)), f"Rasa：意图 {m.group(2)} 没有例句。",
                     f"为它写至少 {MIN_EXAMPLES} 条例句。", [("intent_no_examples", m.group(2))])
    if m := re.search(r"Issue found while processing '(.+?)': The item '(.+?)' contains an example "
                      r"that doesn't start with a '-' symbol: (.*?)\n", text + "\n"):
        rel = loc.relative(m.group(1))
        return found(error, "rasa.missing_dash", (rel, loc.text_line(rel, m.group(3).strip())),
                     f"Rasa：意图 {m.group(2)} 的例句「{m.group(3).strip()}」前面没有 '- '，会被跳过。",
                     "在这条例句前面加上 '- '。", yaml_file=rel)
    if rec.kind == "exception" or re.search(r"YamlSyntaxException|YamlValidationException|"
                                            r"InvalidDomain|YamlException", rec.level + " " + text):
        return _exception(rec, loc)
    if m := re.search(r"The config file is missing the '(.+?)' mandatory key", text):
        return found(error, "rasa.config", ("config.yml", None), f"Rasa：config.yml 缺少必须的 {m.group(1)}。",
                     "从参考项目复制 config.yml。")
    m = re.search(r"(?:Issue found (?:while processing|in) |Unexpected block found in )'(.+?)'", text)
    rel = loc.relative(m.group(1)) if m else None
    return found(warning, "rasa.other", (rel, None), "Rasa 还提示了一个问题（暂时没有中文翻译，原文如下）：\n" + text,
                 "对照原文检查这个文件；看不懂可以问老师。", yaml_file=rel)


SCHEMA_PROBLEMS = [
    (r"Key '(.+?)' was not defined", "Rasa 不认识 '{0}'（是不是拼错了，或者缩进不对？）"),
    (r"Cannot find required key '(.+?)'", "缺少必须的 '{0}'"),
    (r"is not a list", "这里应该是一个列表（每项以 '- ' 开头）"),
    (r"is not a str", "这里应该是一段文字（例句要写在 'examples: |' 下面）"),
    (r"is not a dict", "这里应该是 '键: 值' 的形式"),
]


def _exception(rec: Record, loc: Locator) -> Translated:
    text = rec.text
    file_m = re.search(r"Failed to (?:read|validate) '(.+?)'", text) or re.search(r"in \"(.+?)\"", text)
    rel = loc.relative(file_m.group(1)) if file_m else None
    lines = re.findall(r"line (\d+), column (\d+)", text)
    line = int(lines[-1][0]) if lines else None
    if rec.level == "YamlValidationException" or "Failed to validate" in text:
        items = re.findall(r"in (\S+?):(\d+):\n\s+(.+)", text)
        details = [f"第 {n} 行：{translate_first(SCHEMA_PROBLEMS, problem) or problem.strip()}"
                   for _, n, problem in items]
        for _, n, _ in items:
            line = line or int(n)
        code, fix = "rasa.schema", "按提示改正后再检查；常见原因是键名拼错、examples: 后面少了 |、缩进不对。"
        message = "Rasa：文件的结构不符合 Rasa 的要求，整个文件读不了。" + ("\n" + "\n".join(details) if details else "")
    elif rec.level == "YamlSyntaxException" or "Failed to read" in text:
        code, fix = "rasa.yaml", "检查缩进、冒号后面的空格、引号是否配对、是否混用了全角符号（：　）。"
        message = "Rasa：这个文件的 YAML 格式有错误，读不下去" + (f"（第 {line} 行附近）" if line else "") + "。"
    elif rec.level == "InvalidDomain" or "InvalidDomain" in text:
        return Translated(error("rasa.domain", "domain.yml", None,
                                "Rasa：domain.yml 的内容有错误，Rasa 读不了。",
                                "对照原文（--verbose）检查意图、槽位、表单和答案的写法。", original=text))
    else:
        code, message, fix = "rasa.failed", f"Rasa 的数据检查出错了：{rec.level}。", "对照原文（--verbose）检查；看不懂可以问老师。"
    return Translated(error(code, rel, line, message, fix, original=text), yaml_file=rel)


@dataclass
class RasaResult:
    findings: List[Finding]
    ignored: List[str]            # Rasa's words we did not show, and why
    run: RasaRun


def check(model: Model, static: List[Finding], run: Optional[RasaRun] = None) -> RasaResult:
    run = run or run_validate(model.root)
    keys: Set[Tuple[str, ...]] = {f.key for f in static if f.key}
    yaml_files = {f.file for f in static if f.is_error and f.code.startswith(("yaml.", "structure.duplicate"))}
    findings: List[Finding] = []
    ignored: List[str] = []
    for rec in records(run.output):
        if not rec.relevant:
            continue  # also "Project validation completed with errors." etc.: the details come first
        t = translate(rec, model)
        if t.finding is None:
            why = t.dropped
        elif any(k in keys for k in t.covered_by):
            why = "上面已经报告过"
        elif t.yaml_file and t.yaml_file in yaml_files or (
                rec.kind == "exception" and t.finding.file is None and yaml_files):
            # Rasa stops at a file it cannot read, often without naming it
            # (RecursionError, TypeError on a tag): the YAML finding says where
            why = "和上面的 YAML 错误是同一个问题"
        else:
            findings.append(t.finding)
            continue
        ignored.append(f"{why}：{rec.text.strip()}")
    if run.returncode != 0 and not any(f.is_error for f in findings) and not any(
            f.is_error for f in static if f.code.startswith("yaml.")):
        tail = "\n".join(ANSI.sub("", run.output).strip().splitlines()[-6:])
        findings.append(error(
            "rasa.failed", None, None,
            "Rasa 的数据检查没有通过（退出码 %d）。" % run.returncode,
            "加 --verbose 查看 Rasa 的原文。", original=tail))
    return RasaResult(findings, ignored, run)
