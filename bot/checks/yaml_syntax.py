"""Check 1: the YAML mistakes students really make, each located at its line.

Two passes over every file:

1. `lint_lines` reads the file line by line (it works even when YAML cannot parse it):
   full-width colon/space or a tab used as YAML syntax, `key:value` without a space,
   misspelt keys (`intnet:`), `examples:` without `|`, example lines without `- `,
   over/under-indented examples. Mechanical mistakes come with an `Edit` for `--fix`.
2. `parse_file` parses with PyYAML; when that fails, PyYAML's problem and mark are
   translated into Chinese, and the message is attached to the line mistake that most
   likely caused it (the parser often notices a line or two later).

A full-width colon or space is only "syntax" where YAML needs ASCII: after a key at the
start of a line, in the indentation, after the `-` of a list item. Inside example text
and answer text it is ordinary Chinese punctuation and is never reported or touched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Set, Tuple

import yaml

from bot.checks import encoding
from bot.checks.findings import Edit, Finding, error, warning
from bot.checks.source import MAX_DEPTH, TOO_DEEP, Node, SourceFile, parse

FW_COLON = "\uff1a"   # ：
FW_SPACE = "\u3000"   # 　(ideographic space)
FW_PIPE = "\uff5c"    # ｜
LEAD_CHARS = " \t" + FW_SPACE
DASH_LOOKALIKES = "－—–一﹣‐−~～·•"
VALUE_NEEDS_QUOTES = "{[*&!%@`"  # a plain value cannot start with these
INDENT_KEY = ("indentation",)   # marks the findings about tab/full-width indentation
MAX_INDENT_FINDINGS = 3         # more than this in one file are told as one finding

# ------------------------------------------------------------------ file kinds and keys


def file_kind(rel: str) -> str:
    if rel == "domain.yml" or rel.startswith("domain/"):
        return "domain"
    if rel == "config.yml":
        return "config"
    if rel.startswith("data/"):
        return "data"
    if rel == "shop/catalog.yml":
        return "catalog"
    if rel == "shop/intents.yml":
        return "intents"
    if rel == "shop/policy.yml":
        return "policy"
    return "other"


DATA_TOP = {"version", "nlu", "rules", "stories"}
NLU_ITEM = {"intent", "examples", "synonym", "regex", "lookup", "metadata"}
RULE_ITEM = {"rule", "steps", "condition", "conversation_start", "wait_for_user_input",
             "metadata"}
STORY_ITEM = {"story", "steps", "metadata"}
STEP_ITEM = {"intent", "action", "active_loop", "slot_was_set", "entities", "user", "bot",
             "checkpoint", "or", "metadata"}
CONDITION_ITEM = {"active_loop", "slot_was_set"}
DOMAIN_TOP = {"version", "session_config", "intents", "entities", "slots", "forms",
              "actions", "responses", "e2e_actions"}
SESSION_CONFIG = {"session_expiration_time", "carry_over_slots_to_new_session"}
RESPONSE_VARIANT = {"text", "image", "buttons", "custom", "condition", "channel",
                    "quick_replies", "attachment", "elements", "metadata", "id"}
SLOT_FIELDS = {"type", "influence_conversation", "mappings", "initial_value", "values",
               "min_value", "max_value"}
SLOT_MAPPING = {"type", "entity", "intent", "not_intent", "role", "group", "value",
                "conditions", "action"}
MAPPING_CONDITION = {"active_loop", "requested_slot"}
FORM_FIELDS = {"required_slots", "ignored_intents"}
CONFIG_TOP = {"recipe", "language", "pipeline", "policies", "assistant_id"}
CATALOG_TOP = {"products"}
PRODUCT_FIELDS = {"id", "name", "aliases", "kind", "price", "spec", "colors", "stock",
                  "sizes", "size_chart", "material", "care", "quality", "description",
                  "return_excluded", "return_note"}
INTENTS_TOP = {"categories", "modules", "intents"}
INTENT_ENTRY_KEYS = {"category", "module", "standard"}
CATEGORY_KEYS = {"label", "definition", "examples", "fallback_intent"}

# Keys that are names chosen by the author (never "misspelt").
ALL_FIXED_KEYS = (DATA_TOP | NLU_ITEM | RULE_ITEM | STORY_ITEM | STEP_ITEM | DOMAIN_TOP
                  | RESPONSE_VARIANT | SLOT_FIELDS | FORM_FIELDS | CONFIG_TOP)


def allowed_keys(kind: str, chain: Sequence[str]) -> Optional[Set[str]]:
    """The keys YAML may have at this place (`chain` = canonical ancestor keys), or
    None where the keys are names chosen by the author (slots, responses, entities...)."""
    parent = chain[-1] if chain else None
    grand = chain[-2] if len(chain) >= 2 else None
    if kind == "data":
        if parent is None:
            return DATA_TOP
        return {"nlu": NLU_ITEM, "rules": RULE_ITEM, "stories": STORY_ITEM,
                "steps": STEP_ITEM, "condition": CONDITION_ITEM,
                "or": STEP_ITEM}.get(parent)
    if kind == "domain":
        if parent is None:
            return DOMAIN_TOP
        if parent == "session_config":
            return SESSION_CONFIG
        if grand == "responses":
            return RESPONSE_VARIANT
        if grand == "slots":
            return SLOT_FIELDS
        if grand == "forms":
            return FORM_FIELDS
        if parent == "mappings":
            return SLOT_MAPPING
        if parent == "conditions":
            return MAPPING_CONDITION
        return None
    if kind == "config":
        return CONFIG_TOP if parent is None else None
    if kind == "catalog":
        if parent is None:
            return CATALOG_TOP
        return PRODUCT_FIELDS if parent == "products" else None
    if kind == "intents":
        return INTENTS_TOP if parent is None else None
    return None


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def closest_key(key: str, allowed: Iterable[str]) -> Optional[str]:
    """The allowed key `key` is most likely a misspelling of, if any."""
    low = key.lower().strip()
    best: Optional[Tuple[int, str]] = None
    for candidate in sorted(allowed):
        if low == candidate:
            return candidate
        limit = 1 if len(candidate) <= 4 else 2
        distance = edit_distance(low, candidate)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def canonical_key(key: str, allowed: Iterable[str]) -> str:
    """`key` itself when allowed, else the allowed key it misspells, else `key`."""
    allowed = set(allowed)
    if key in allowed:
        return key
    return closest_key(key, allowed) or key


# ------------------------------------------------------------------ line pass

KEY_RE = re.compile(
    r"""^(?P<lead>[ ]*)(?P<dash>(?:-[ ]+)*)"""
    r"""(?P<key>[A-Za-z_][A-Za-z0-9_\-.]*|"[^"\n]*"|'[^'\n]*')"""
    r"""(?P<gap>[ \t\u3000]*)(?P<colon>[:\uff1a])(?P<after>.*)$""")
BLOCK_INDICATOR_RE = re.compile(r"^[ \t]*[|>][-+0-9]*[ \t]*(#.*)?$")
FLOW_KEY_FW_RE = re.compile(r"([{,])([ \t]*)([^\s{}\[\],:\uff1a\"']+?)([ \t\u3000]*)\uff1a[ \t\u3000]*")


def _width(lead: str, tab: int = 4, fw: int = 2) -> int:
    return sum(tab if c == "\t" else fw if c == FW_SPACE else 1 for c in lead)


def _lead(raw: str) -> str:
    return raw[: len(raw) - len(raw.lstrip(LEAD_CHARS))]


def _show(text: str) -> str:
    """A line as the message shows it: tabs and full-width spaces made visible."""
    return text.replace("\t", "→").replace(FW_SPACE, "□").strip()


@dataclass
class _Block:
    key: str
    key_col: int
    start: int
    content_indent: Optional[int] = None
    reported_shallow: bool = False


@dataclass
class _Entry:
    col: int
    key: str


@dataclass
class LintResult:
    findings: List[Finding] = field(default_factory=list)
    fixed_lines: List[str] = field(default_factory=list)


class _LineLinter:
    def __init__(self, source: SourceFile, kind: str, uniform: Optional[Tuple[int, int]] = None):
        self.uniform = uniform  # (tab width, full-width-space width), else guess per line
        self.src = source
        self.rel = source.rel
        self.kind = kind
        self.lines = list(source.lines)
        self.out = LintResult(fixed_lines=list(source.lines))
        self.stack: List[_Entry] = []
        self.block: Optional[_Block] = None
        self.levels: List[int] = [0]   # indentation levels seen (for tab fixes)
        self.prev_struct: Optional[Tuple[int, str]] = None  # (line no, fixed text)

    # -- helpers
    def _add(self, finding: Finding) -> Finding:
        self.out.findings.append(finding)
        return finding

    def _next_content(self, number: int) -> Optional[Tuple[int, str]]:
        for n in range(number + 1, len(self.lines) + 1):
            raw = self.lines[n - 1]
            stripped = raw.strip(LEAD_CHARS)
            if stripped and not stripped.startswith("#"):
                return n, raw
        return None

    def run(self) -> LintResult:
        for number, raw in enumerate(self.lines, 1):
            if not raw.strip(LEAD_CHARS) and ("\t" in raw or FW_SPACE in raw):
                # a blank line holding a tab or a full-width space stops YAML too
                self._finish_line(number, raw, "", [self._indent_finding(number, raw, raw, blank=True)])
                continue
            if self.block is not None:
                if self._continues_block(raw):
                    self._block_line(number, raw)
                    continue
                self._block_ended(number, raw)
                self.block = None
            self._struct_line(number, raw)
        return self.out

    # -- block scalars (examples: | ...)
    def _continues_block(self, raw: str) -> bool:
        block = self.block
        stripped = raw.strip(LEAD_CHARS)
        if not stripped:
            return True
        lead = _lead(raw)
        if _width(lead) > block.key_col:
            return True
        # `examples: |` then `\t- 你好`: a tab that looks shallow is still an example
        if ("\t" in lead or FW_SPACE in lead) and stripped[:1] in "-" + DASH_LOOKALIKES \
                and not KEY_RE.match(" " * len(lead) + stripped):
            return True
        return False

    def _block_ended(self, number: int, raw: str) -> None:
        block = self.block
        if block.content_indent is None and block.key == "examples" and not block.reported_shallow:
            stripped = raw.strip(LEAD_CHARS)
            if stripped.startswith("-") and not KEY_RE.match(raw.replace("-", " ", 1)):
                want = block.key_col + 2
                self._add(error(
                    "yaml.example_indent", self.rel, number,
                    f"例句的缩进不够：'- ' 要比第 {block.start} 行的 examples: 多缩进，"
                    f"现在 examples: 下面是空的，这些例句 YAML 读不懂。",
                    f"把 examples: 下面每条例句都缩进成 {want} 个空格再写 '- '，例如："
                    f"'{' ' * want}- 你好'。"))
                block.reported_shallow = True

    def _block_line(self, number: int, raw: str) -> None:
        block = self.block
        stripped = raw.strip(LEAD_CHARS)
        if not stripped:
            return
        lead = _lead(raw)
        line = raw
        findings: List[Finding] = []
        if "\t" in lead or FW_SPACE in lead:
            indent = block.content_indent if block.content_indent is not None else block.key_col + 2
            line = " " * indent + raw[len(lead):]
            findings.append(self._indent_finding(number, raw, lead))
            lead = " " * indent
        elif block.content_indent is None:
            block.content_indent = len(lead)
        if block.content_indent is None:
            block.content_indent = len(lead)
        rest = line[len(lead):]
        if block.key == "examples":
            if rest.startswith("-" + FW_SPACE):
                line = lead + "- " + rest[2:].lstrip(FW_SPACE)
                findings.append(error(
                    "yaml.fullwidth_space", self.rel, number,
                    "例句开头的 '-' 后面是全角空格（　），Rasa 需要英文的 '- '（减号加半角空格）。",
                    "把 '-' 后面的全角空格换成一个半角空格。"))
            elif rest.startswith("#"):
                self._add(warning(
                    "yaml.comment_in_examples", self.rel, number,
                    "这一行在 examples: | 的例句块里面，这里的 # 不是注释：Rasa 会把它当成一条"
                    "没有 '- ' 的例句，跳过并报警告。",
                    "把这行注释移到 '- intent:' 那一行的上面（不缩进）。"))
            elif rest[:1] in DASH_LOOKALIKES and rest[1:2] in (" ", FW_SPACE):
                self._add(error(
                    "yaml.missing_dash", self.rel, number,
                    f"例句开头的 '{rest[0]}' 不是英文减号：Rasa 只认 '- '（英文减号加空格），"
                    f"这条例句会被跳过。",
                    f"把 '{rest[0]}' 换成英文减号 '-'（在英文输入法下输入）。"))
            elif not rest.startswith("-"):
                self._add(error(
                    "yaml.missing_dash", self.rel, number,
                    f"例句「{_show(rest)}」前面少了 '- '：Rasa 会跳过这一行，不会学习它。",
                    "在这一行的例句前面加上 '- '（英文减号加一个空格），和上一条例句对齐。"))
            elif len(lead) > block.content_indent and not findings:
                self._add(error(
                    "yaml.example_indent", self.rel, number,
                    f"这条例句比上面的例句多缩进了 {len(lead) - block.content_indent} 个空格："
                    f"Rasa 读到的是以空格开头的一行，会跳过它。",
                    f"删掉多余的空格，让 '- ' 和上一条例句对齐（{block.content_indent} 个空格）。"))
        self._finish_line(number, raw, line, findings)

    # -- structural lines
    def _struct_line(self, number: int, raw: str) -> None:
        stripped = raw.strip(LEAD_CHARS)
        if not stripped:
            return
        lead = _lead(raw)
        if stripped.startswith("#"):
            if "\t" in lead or FW_SPACE in lead:  # a comment's indentation means nothing
                nxt = self._next_content(number)
                width = len(_lead(nxt[1])) if nxt and not ("\t" in _lead(nxt[1]) or FW_SPACE in _lead(nxt[1])) else 0
                self._finish_line(number, raw, " " * width + raw[len(lead):],
                                  [self._indent_finding(number, raw, lead)])
            return
        line = raw
        findings: List[Finding] = []
        if "\t" in lead or FW_SPACE in lead:
            indent = _width(lead, *self.uniform) if self.uniform else self._guess_indent(number, raw, lead)
            line = " " * indent + raw[len(lead):]
            findings.append(self._indent_finding(number, raw, lead))
        lead = line[: len(line) - len(line.lstrip(" "))]
        body = line[len(lead):]
        # `-　xxx`: a full-width space after a list dash
        dash_fw = re.match(r"^((?:-[ ]+)*)-\u3000+", body)
        if dash_fw:
            body = dash_fw.group(1) + "- " + body[dash_fw.end():]
            line = lead + body
            findings.append(error(
                "yaml.fullwidth_space", self.rel, number,
                "'-' 后面是全角空格（　），YAML 需要英文的 '- '（减号加半角空格）。",
                "把 '-' 后面的全角空格换成一个半角空格。"))
        match = KEY_RE.match(line)
        if match:
            line, findings = self._key_line(number, line, match, findings)
        elif FW_COLON in line and "{" in line:
            line = self._flow_keys(number, line, findings)
        self._track_struct(number, line)
        self._finish_line(number, raw, line, findings)

    def _key_line(self, number: int, line: str, match: "re.Match[str]",
                  findings: List[Finding]) -> Tuple[str, List[Finding]]:
        lead, dash, key = match.group("lead"), match.group("dash"), match.group("key")
        gap, colon, after = match.group("gap"), match.group("colon"), match.group("after")
        if colon == FW_COLON:
            findings.append(error(
                "yaml.fullwidth_colon", self.rel, number,
                f"'{key}' 后面用了中文全角冒号 '：'，YAML 只认英文冒号 ':'，这一行会被当成普通文字。",
                f"把 '{key}：' 改成 '{key}: '（英文冒号，后面加一个空格）。"))
        if FW_SPACE in gap:
            findings.append(error(
                "yaml.fullwidth_space", self.rel, number,
                f"'{key}' 和冒号之间有全角空格（　），YAML 会把空格也当成键名的一部分。",
                f"删掉 '{key}' 后面的全角空格。"))
        if after.startswith(FW_SPACE) and colon == ":":
            findings.append(error(
                "yaml.fullwidth_space", self.rel, number,
                f"'{key}:' 后面是全角空格（　），YAML 需要半角空格，这一行会被当成普通文字。",
                f"把 '{key}:' 后面的全角空格换成一个半角空格。"))
        fixed_after = after
        if colon == FW_COLON or after.startswith(FW_SPACE):
            fixed_after = after.lstrip(FW_SPACE)
            if fixed_after and not fixed_after.startswith((" ", "\t")):
                fixed_after = " " + fixed_after
        if colon == ":" and after and after[0] not in " \t" + FW_SPACE:
            findings.append(error(
                "yaml.colon_space", self.rel, number,
                f"'{key}:' 后面少了一个空格：YAML 要求冒号后面空一格，否则整行会被当成普通文字。",
                f"改成 '{key}: {after.strip()}'。"))
        if FW_COLON in fixed_after and "{" in fixed_after:
            fixed_after = self._flow_keys(number, fixed_after, findings)
        line = lead + dash + key + gap.replace(FW_SPACE, "") + ":" + fixed_after
        if colon == FW_COLON or FW_SPACE in gap or after.startswith(FW_SPACE):
            # make sure the fix is right: re-match the fixed line
            match = KEY_RE.match(line) or match
        # context, misspelt keys
        dash_col = len(lead) if dash else None
        key_col = len(lead) + len(dash)
        bare = key.strip("\"'")
        if dash_col is not None:
            self.stack = [e for e in self.stack if e.col <= dash_col]
        else:
            self.stack = [e for e in self.stack if e.col < key_col]
        chain = [e.key for e in self.stack]
        canonical = bare
        allowed = allowed_keys(self.kind, chain)
        if allowed is not None and bare not in allowed:
            guess = closest_key(bare, allowed)
            where = self._where(chain)
            reader = "Rasa " if self.kind in ("data", "domain", "config") else "小悦"
            if guess:
                canonical = guess
                self._add(error(
                    "yaml.misspelt_key", self.rel, number,
                    f"'{bare}' 拼错了，应该是 '{guess}'：{reader}不认识 '{bare}'，{where}这部分内容会读不到。",
                    f"把 '{bare}:' 改成 '{guess}:'。"))
            else:
                self._add(warning(
                    "yaml.unknown_key", self.rel, number,
                    f"{where}不认识 '{bare}' 这个写法。",
                    f"这里可以写的有：{'、'.join(sorted(allowed))}。检查是不是写错了或缩进不对。"))
        self.stack.append(_Entry(key_col, canonical))
        # what follows the colon
        value = fixed_after.strip()
        if BLOCK_INDICATOR_RE.match(fixed_after or ""):
            if value.startswith(("|", ">")):
                self.block = _Block(canonical, key_col, number)
        elif value.startswith(FW_PIPE):
            self._add(error(
                "yaml.fullwidth_pipe", self.rel, number,
                f"'{bare}:' 后面的 '｜' 是中文全角竖线，YAML 只认英文的 '|'，下面的内容会被当成一整句话。",
                "把 '｜' 换成英文竖线 '|'（键盘回车键上方，按住 Shift）。"))
        elif canonical == "examples" and self.kind == "data":
            self._check_examples_value(number, key_col, value)
        elif canonical == "text" and value[:1] in VALUE_NEEDS_QUOTES:
            self._add(error(
                "yaml.text_quotes", self.rel, number,
                f"答案以 '{value[0]}' 开头：YAML 会把它当成特殊符号，而不是一句话（常见于以 {{变量}} 开头的答案）。",
                f"用英文双引号把整句话括起来，例如：text: \"{_show(value)}\"。"))
        return line, findings

    def _check_examples_value(self, number: int, key_col: int, value: str) -> None:
        """`examples:` must be followed by `|`, the examples on the next lines."""
        if value and not value.startswith("#"):
            what = "例句直接写在了 examples: 后面" if not value.startswith("-") else "examples: 后面少了 '|'"
            self._add(error(
                "yaml.examples_pipe", self.rel, number,
                f"{what}：Rasa 要求写成 'examples: |'，例句从下一行开始，每行一条，以 '- ' 开头。",
                f"改成 'examples: |'，再把「{_show(value)}」移到下一行并缩进写成 '- ...'。"))
            return
        nxt = self._next_content(number)
        if nxt and nxt[1].strip(LEAD_CHARS).startswith("-"):
            self._add(error(
                "yaml.examples_pipe", self.rel, number,
                "'examples:' 后面少了 '|'：没有它，下面的例句会被当成 YAML 列表，Rasa 读不了"
                "（有些例句还会让整个文件读不下去）。",
                "在 'examples:' 后面加上一个空格和 '|'，写成 'examples: |'。"))

    def _flow_keys(self, number: int, text: str, findings: List[Finding]) -> str:
        """`{category： basic}`: a full-width colon after a key inside a flow mapping.

        Only a value that *is* a flow mapping is looked at (it starts with `{`), and only
        up to its closing `}`: an answer like `满{threshold}元,运费：8元` is text."""
        body = text.lstrip(" ")
        while body.startswith("- "):
            body = body[2:].lstrip(" ")
        if not body.startswith("{"):
            return text
        end = body.find("}")
        end = len(body) if end < 0 else end + 1
        flow, rest = body[:end], body[end:]
        fixed, count = FLOW_KEY_FW_RE.subn(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}: ", flow)
        if not count:
            return text
        findings.append(error(
            "yaml.fullwidth_colon", self.rel, number,
            "花括号 { } 里的键后面用了中文全角冒号 '：'，YAML 只认英文冒号 ':'。",
            "把 { } 里键名后面的 '：' 改成英文冒号加空格 ': '。"))
        return text[: len(text) - len(body)] + fixed + rest

    def _where(self, chain: Sequence[str]) -> str:
        if not chain:
            return "文件最外层"
        return f"在 '{chain[-1]}' 下面"

    def _track_struct(self, number: int, line: str) -> None:
        self.prev_struct = (number, line)
        lead = len(line) - len(line.lstrip(" "))
        m = KEY_RE.match(line)
        levels = {lead}
        if m:
            levels.add(len(m.group("lead")) + len(m.group("dash")))
        self.levels = sorted(set(self.levels) | levels)

    def _guess_indent(self, number: int, raw: str, lead: str) -> int:
        """The indentation a tab/full-width-space line was meant to have.

        Candidates are the tab/space widths editors use; the answer must be an
        indentation the surrounding lines make valid (same level as the previous
        item, one level deeper after a `key:`, or an outer level)."""
        rest = raw[len(lead):]
        is_item = rest.startswith(("-", *DASH_LOOKALIKES))
        candidates = []
        for tab, fw in ((4, 2), (2, 2), (8, 2), (4, 1), (2, 1)):
            width = _width(lead, tab, fw)
            if width not in candidates:
                candidates.append(width)
        targets: List[int] = []
        if self.prev_struct is not None:
            prev = self.prev_struct[1]
            m = KEY_RE.match(prev)
            prev_lead = len(prev) - len(prev.lstrip(" "))
            if m:
                key_col = len(m.group("lead")) + len(m.group("dash"))
                opens = not m.group("after").strip() or m.group("after").strip().startswith("#")
                if opens:
                    targets += [key_col + 2, key_col] if is_item else [key_col + 2]
                elif is_item:
                    targets += [prev_lead] if m.group("dash") else []
                else:
                    targets += [key_col]
            else:
                targets.append(prev_lead)
        targets += [lv for lv in reversed(self.levels) if lv not in targets]
        for target in targets:
            if target in candidates:
                return target
        return targets[0] if targets else candidates[0]

    def _indent_finding(self, number: int, raw: str, lead: str, blank: bool = False) -> Finding:
        if blank:
            what = "Tab（制表符）" if "\t" in raw else "全角空格（　）"
            return error(
                "yaml.tab" if "\t" in raw else "yaml.fullwidth_space", self.rel, number,
                f"这一行看起来是空行，但里面有{what}：YAML 读到它会出错。",
                "把这一行里的空白全部删掉，让它成为真正的空行。", key=INDENT_KEY)
        if "\t" in lead:
            return error(
                "yaml.tab", self.rel, number,
                "这一行用 Tab（制表符）缩进：YAML 只能用空格缩进，Tab 会让文件读不下去或例句被跳过。",
                "把行首的 Tab 换成空格，和同一层的上一行对齐。", key=INDENT_KEY)
        return error(
            "yaml.fullwidth_space", self.rel, number,
            "这一行的缩进里有全角空格（　）：YAML 只认半角空格。",
            "把行首的全角空格换成半角空格，和同一层的上一行对齐。", key=INDENT_KEY)

    def _finish_line(self, number: int, raw: str, line: str, findings: List[Finding]) -> None:
        if line != raw:
            self.out.fixed_lines[number - 1] = line
            edit = Edit(self.rel, number, raw, line)
            for finding in findings:
                finding.edits.append(edit)
        self.out.findings.extend(findings)


UNIFORM_WIDTHS = [(2, 2), (4, 2), (8, 2), (2, 1), (4, 1)]


def _parses(lines: List[str]) -> bool:
    try:
        parse("\n".join(lines) + "\n")
    except yaml.YAMLError:
        return False
    return True


def lint_lines(source: SourceFile) -> LintResult:
    """Line mistakes of one file; `fixed_lines` has every mechanical fix applied.

    Tab/full-width-space indentation is first guessed line by line from the lines
    around it (right for one stray tab among spaces). When that does not give a file
    YAML can read, every tab is expanded to the same width instead (right for a file
    indented with tabs throughout), trying the widths editors use."""
    kind = file_kind(source.rel)
    result = _LineLinter(source, kind).run()
    indented = any(_lead(raw) != _lead(raw).replace("\t", "").replace(FW_SPACE, "")
                   for raw in source.lines if raw.strip(LEAD_CHARS))
    if indented and not _parses(result.fixed_lines):
        for widths in UNIFORM_WIDTHS:
            alternative = _LineLinter(source, kind, widths).run()
            if _parses(alternative.fixed_lines):
                result = alternative
                break
    result.findings = _merge_indentation(result.findings)
    return result


def _merge_indentation(findings: List[Finding]) -> List[Finding]:
    """A file indented with tabs throughout gets one finding, not one per line."""
    merged: List[Finding] = []
    for code, what in (("yaml.tab", " Tab（制表符）"), ("yaml.fullwidth_space", "全角空格（　）")):
        group = [f for f in findings if f.code == code and f.key == INDENT_KEY]
        if len(group) <= MAX_INDENT_FINDINGS:
            continue
        shown = "、".join(str(f.line) for f in group[:8]) + ("……" if len(group) > 8 else "")
        first = group[0]
        merged.append(error(
            code, first.file, first.line,
            f"有 {len(group)} 行的缩进用了{what}（第 {shown} 行）：YAML 只能用半角空格缩进，这样文件读不下去，"
            f"例句也可能被跳过。",
            "用 --fix 自动把它们换成空格；以后在编辑器里把 Tab 设置成“插入空格”。",
            edits=[e for f in group for e in f.edits], key=INDENT_KEY))
        findings = [f for f in findings if f not in group]
    return sorted(findings + merged, key=lambda f: f.line or 0)


# ------------------------------------------------------------------ parse errors

PROBLEMS = [
    (r"found character '\\t' that cannot start any token", "这里有一个 Tab（制表符），YAML 只能用空格"),
    (r"found character '(.)' that cannot start any token", "以 '{0}' 开头的内容 YAML 读不懂"),
    (r"mapping values are not allowed here", "这里出现了“冒号+空格”，YAML 以为要开始一个新的键，但位置不对"),
    (r"expected <block end>, but found '<scalar>'", "这一行的内容和上面对不齐（缩进不对，或者上面有引号没有配对）"),
    (r"expected <block end>, but found '-'", "这一行的 '- ' 和上面的同级内容没有对齐（缩进不对）"),
    (r"expected <block end>, but found '<block sequence start>'", "这一行的 '- ' 和上面的同级内容没有对齐（缩进不对）"),
    (r"expected <block end>, but found '<block mapping start>'", "这一行比同一层的内容多缩进了"),
    (r"expected <block end>, but found '(.*)'", "这一行的缩进和上面的同级内容对不齐"),
    (r"could not find expected ':'", "这里应该有一个英文冒号 ':'，但没有找到"),
    (r"found unexpected end of stream", "一直到文件末尾都没有找到配对的引号"),
    (r"found unknown escape character '(.)'", "双引号里的反斜杠 '\\{0}' 不是 YAML 认识的写法"),
    (r"expected a comment or a line break, but found '(.)'", "'|' 或 '>' 后面不能直接写内容（发现了 '{0}'）"),
    (r"expected chomping or indentation indicators, but found '(.)'", "'|' 后面不能直接写内容（发现了 '{0}'）"),
    (r"expected ',' or '\]', but got '(.*)'", "方括号 [ ] 里的列表写法不对：少了英文逗号或右括号 ']'"),
    (r"expected ',' or '\}', but got '(.*)'", "花括号 {{ }} 里的写法不对：少了英文逗号或右括号 '}}'"),
    (r"expected a single document in the stream", "文件里出现了第二份内容（'---' 分隔线）"),
    (r"found undefined alias '(.*)'", "以 '*' 开头的内容 YAML 会当成引用"),
    (r"found duplicate anchor", "以 '&' 开头的内容 YAML 会当成锚点"),
    (r"expected the node content, but found '(.*)'", "这里缺少内容"),
    (r"sequence entries are not allowed here", "这里不能出现 '- '（缩进不对，或者上一行的冒号写错了）"),
    (r"mapping keys are not allowed here", "这里不能出现 '?'"),
    (r"unacceptable character #x([0-9a-fA-F]+)", "文件里有看不见的特殊字符（编码 #x{0}）"),
    (TOO_DEEP, f"从这里开始一层套一层，嵌套超过了 {MAX_DEPTH} 层"),
]
CONTEXTS = [
    (r"while scanning a (double-|single-)?quoted scalar", "引号从第 {line} 行第 {col} 列开始"),
    (r"while parsing a block mapping", "出错的这一层从第 {line} 行开始"),
    (r"while parsing a block collection", "出错的列表从第 {line} 行开始"),
    (r"while scanning a simple key", "第 {line} 行"),
    (r"while scanning a block scalar", "第 {line} 行的 '|'"),
    (r"while parsing a flow (sequence|mapping)", "括号从第 {line} 行第 {col} 列开始"),
]


def translate_problem(problem: str) -> str:
    for pattern, chinese in PROBLEMS:
        m = re.search(pattern, problem or "")
        if m:
            return chinese.format(*m.groups())
    return f"YAML 读不懂这里（{problem}）"


def _translate_context(context: Optional[str], mark: Optional[yaml.Mark]) -> str:
    if not context or mark is None:
        return ""
    for pattern, chinese in CONTEXTS:
        if re.search(pattern, context):
            return chinese.format(line=mark.line + 1, col=mark.column + 1)
    return ""


@dataclass
class ParseFailure:
    line: int
    column: int
    problem: str         # Chinese
    context: str         # Chinese ("" if none)
    context_line: Optional[int]
    original: str

    def describe(self) -> str:
        extra = f"；{self.context}" if self.context else ""
        return f"第 {self.line} 行第 {self.column} 列：{self.problem}{extra}"


def parse_failure(exc: yaml.YAMLError) -> ParseFailure:
    if isinstance(exc, yaml.reader.ReaderError):
        # no line in the exception: the reader only knows the character offset
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        line, column = getattr(exc, "line_column", (1, exc.position + 1))
        return ParseFailure(line, column, f"文件里有看不见的特殊字符（编码 #x{char:04x}），YAML 不接受",
                            "", None, str(exc))
    mark = getattr(exc, "problem_mark", None)
    cmark = getattr(exc, "context_mark", None)
    return ParseFailure(
        line=(mark.line + 1) if mark else 1,
        column=(mark.column + 1) if mark else 1,
        problem=translate_problem(getattr(exc, "problem", "") or str(exc)),
        context=_translate_context(getattr(exc, "context", None), cmark),
        context_line=(cmark.line + 1) if cmark else None,
        original=str(exc),
    )


def _unbalanced_quote_line(lines: Sequence[str], start: int, end: int) -> Optional[int]:
    for n in range(max(1, start), end + 1):
        raw = lines[n - 1] if n <= len(lines) else ""
        text = raw.split(" #", 1)[0]
        doubles = len(re.findall(r'(?<!\\)"', text))
        if doubles % 2:
            return n
    return None


def hint_for(failure: ParseFailure, lines: Sequence[str], original_problem: str) -> Tuple[int, str]:
    """(line most likely at fault, Chinese advice) for a parse failure."""
    n = failure.line
    raw = lines[n - 1] if 1 <= n <= len(lines) else ""
    start = failure.context_line or max(1, n - 3)
    if TOO_DEEP in original_problem:
        return n, ("训练数据只有几层（意图 → 例句，规则 → 步骤）：删掉这一段层层缩进"
                   "（或层层括号）的内容，按参考项目的格式重写。")
    if "unknown escape" in original_problem:
        return n, "双引号里的 '\\' 要写成 '\\\\'，或者把双引号换成单引号。"
    if "quoted scalar" in original_problem or "end of stream" in original_problem:
        at = failure.context_line or n
        return at, (f"第 {at} 行的引号没有配对：在句子末尾补上英文引号 '\"'，"
                    "或者去掉开头的引号（中文句子一般不需要引号）。")
    if "but found '<scalar>'" in original_problem:
        if re.search(r'"[^"]*"[ \t]*[^\s#]', raw):
            return n, ("这一行的引号结束以后还有文字：把整句话都放进引号里，"
                       "或者去掉引号（中文句子一般不需要引号）。")
        quote = _unbalanced_quote_line(lines, start, n)
        if quote:
            return quote, (f"第 {quote} 行的英文引号 '\"' 没有配对：在句子末尾补上 '\"'，"
                           "或者去掉开头的引号。")
    if "expected a comment or a line break" in original_problem or "chomping" in original_problem:
        return n, "'|' 后面要直接换行：把 '|' 后面的内容移到下一行，缩进后以 '- ' 开头。"
    if "cannot start any token" in original_problem:
        return n, "以 @ ` % 等符号开头的内容要用英文引号括起来，例如 \"@客服 在吗\"。"
    if "undefined alias" in original_problem or "duplicate anchor" in original_problem:
        return n, "以 * 或 & 开头的内容要用英文引号括起来。"
    if "single document" in original_problem:
        return n, "删掉文件中间的 '---' 分隔线。"
    if "expected ','" in original_problem:
        return failure.context_line or n, "检查方括号/花括号：左右括号要配对，里面的项用英文逗号 ',' 隔开。"
    if "mapping values are not allowed" in original_problem:
        m = KEY_RE.match(raw)
        value = m.group("after") if m else raw
        if m and re.search(r":\s", value):
            return n, ("这一行的内容里有英文冒号加空格 ': '，YAML 会把它当成新的键："
                       "把这个冒号换成中文冒号 '：'，或者把整句话用英文双引号括起来。")
        prev = _previous_struct(lines, n)
        if prev and m:
            prev_m = KEY_RE.match(lines[prev - 1])
            if prev_m:
                prev_col = len(prev_m.group("lead")) + len(prev_m.group("dash"))
                col = len(m.group("lead")) + len(m.group("dash"))
                if col > prev_col and prev_m.group("after").strip():
                    return n, (f"第 {n} 行比第 {prev} 行多缩进了 {col - prev_col} 个空格："
                               f"同一层的键要左对齐（{prev_col} 个空格）。")
        return n, "检查这一行和上一行：缩进是否和同级对齐（只用空格），冒号是否是英文冒号并且后面有空格。"
    if "expected <block end>" in original_problem or "sequence entries" in original_problem:
        prev = _previous_struct(lines, n)
        col = len(raw) - len(raw.lstrip(" "))
        sibling = _sibling_indent(lines, n, raw.lstrip(" ").startswith("-"))
        if sibling is not None and sibling != col:
            return n, (f"第 {n} 行缩进了 {col} 个空格，和同一层的上面几行不一样（{sibling} 个空格）："
                       f"改成 {sibling} 个空格。")
        if prev:
            return n, f"检查第 {prev} 行到第 {n} 行的缩进：同一层的内容要用同样多的空格左对齐。"
    if "could not find expected ':'" in original_problem:
        return failure.context_line or n, "这一行少了英文冒号 ':'，或者它本该是上一行内容的一部分（缩进不对）。"
    for k in (n, failure.context_line or n):
        text = lines[k - 1] if 1 <= k <= len(lines) else ""
        if text.count("[") != text.count("]") or text.count("{") != text.count("}"):
            return k, "这一行的方括号 [ ] 或花括号 { } 没有配对：补上右括号，里面的项用英文逗号 ',' 隔开。"
    return n, "检查这一行和上一行：缩进只用空格并和同级对齐；冒号、引号、减号都要用英文半角符号。"


def _previous_struct(lines: Sequence[str], n: int) -> Optional[int]:
    for k in range(n - 1, 0, -1):
        s = lines[k - 1].strip()
        if s and not s.startswith("#"):
            return k
    return None


def _sibling_indent(lines: Sequence[str], n: int, is_item: bool) -> Optional[int]:
    """Indentation of the nearest earlier line of the same kind (list item or key)."""
    for k in range(n - 1, max(0, n - 30), -1):
        s = lines[k - 1]
        body = s.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        if body.startswith("-") == is_item:
            return len(s) - len(body)
    return None


# ------------------------------------------------------------------ whole file

SYNTAX_CODES = {"yaml.text_quotes", "yaml.tab", "yaml.fullwidth_colon", "yaml.fullwidth_space", "yaml.colon_space",
                "yaml.examples_pipe", "yaml.example_indent", "yaml.fullwidth_pipe",
                "yaml.missing_dash"}


@dataclass
class ParsedFile:
    source: SourceFile
    kind: str
    tree: Optional[Node]          # None when it does not parse (or is empty)
    ok: bool                      # parsed (maybe after the in-memory mechanical fixes)
    findings: List[Finding]


def check_file(source: SourceFile) -> ParsedFile:
    """Line lint + parse of one file. When only mechanical mistakes stop the parse, the
    tree comes from the fixed text so the other checks still see the file's data."""
    kind = file_kind(source.rel)
    findings: List[Finding] = encoding.check(source)
    lint = lint_lines(source)
    findings += lint.findings
    tree: Optional[Node] = None
    ok = True
    try:
        tree = parse(source.text)
        if lint.fixed_lines != source.lines:
            # it parses, but not as meant (`text:　"…"` is one plain string): read
            # what the student meant, so the other checks see the real content
            try:
                tree = parse("\n".join(lint.fixed_lines) + "\n")
            except yaml.YAMLError:
                pass
    except yaml.YAMLError as exc:
        _locate_reader_error(exc, source.text)
        remaining: Optional[yaml.YAMLError] = exc
        _explain(exc, lint.findings, source.rel)
        if lint.fixed_lines != source.lines:
            try:
                tree = parse("\n".join(lint.fixed_lines) + "\n")
                remaining = None
            except yaml.YAMLError as exc2:
                remaining = exc2
        if remaining is not None:
            ok, tree = False, None
            if remaining is exc and _culprit(lint.findings, parse_failure(exc)) is not None:
                pass  # already explained on the line that caused it
            elif not _explain(remaining, lint.findings, source.rel):
                failure = parse_failure(remaining)
                line, advice = hint_for(failure, lint.fixed_lines, _problem_text(remaining))
                findings.append(error(
                    "yaml.parse", source.rel, line,
                    f"YAML 格式错误，整个文件读不下去：{failure.describe()}。",
                    advice, column=failure.column if line == failure.line else None,
                    original=failure.original.replace("<unicode string>", source.rel)))
    return ParsedFile(source, kind, tree, ok, findings)


def _locate_reader_error(exc: yaml.YAMLError, text: str) -> None:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        exc.line_column = (before.count("\n") + 1, len(before) - before.rfind("\n"))  # type: ignore[attr-defined]


def _problem_text(exc: yaml.YAMLError) -> str:
    return f"{getattr(exc, 'context', '') or ''} {getattr(exc, 'problem', '') or exc}"


def _explain(exc: yaml.YAMLError, findings: List[Finding], rel: str = "") -> bool:
    """Attach the parser's words to the line mistake that caused `exc`, if any."""
    failure = parse_failure(exc)
    culprit = _culprit(findings, failure)
    if culprit is None:
        return False
    if not culprit.original:  # not explained yet
        culprit.message += f"（因为这个错误，整个文件读不下去：YAML 在{failure.describe()}。）"
        culprit.original = failure.original.replace("<unicode string>", rel or "<unicode string>")
    return True


def _culprit(findings: List[Finding], failure: ParseFailure) -> Optional[Finding]:
    """The line mistake closest above the parser's error, within a few lines."""
    low = min(failure.context_line or failure.line, failure.line - 3)
    best = None
    for finding in findings:
        if finding.code in SYNTAX_CODES and finding.line is not None \
                and low <= finding.line <= failure.line and finding.is_error:
            if best is None or finding.line > best.line:
                best = finding
    return best
