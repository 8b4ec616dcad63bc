"""Check 3: the examples (相似问法) of each intent.

- fewer than bot.course.MIN_EXAMPLES examples: warning; fewer than MIN_EXAMPLES_ERROR: error;
- the same sentence under two intents: error (both places);
- the same sentence twice in one intent: warning;
- an example longer than the bot ever reads (bot/runtime.MAX_MESSAGE_CHARS): error;
- sentences that are the same after bot.textsim.normalise (they differ only by
  punctuation, spaces, emoji, letter case, full/half width, polite openers or particles,
  the rule grade and diagnose use too): they teach the classifier nothing new (warning,
  same intent, from bot.textsim.MIN_DUPLICATE_CHARS on) or contradict each other (error,
  two intents).
"""
from __future__ import annotations

from typing import Dict, Iterator, List

from bot.checks.findings import Finding, error, warning
from bot.checks.model import Example, Model
from bot.course import MIN_EXAMPLES, MIN_EXAMPLES_ERROR
from bot.runtime import MAX_MESSAGE_CHARS
from bot.textsim import IGNORED_WORDS, MIN_DUPLICATE_CHARS, normalise


def check(model: Model) -> List[Finding]:
    return [*_counts(model), *_too_long(model), *_duplicates(model)]


def _too_long(model: Model) -> List[Finding]:
    return [error(
        "examples.too_long", e.file, e.line,
        f"意图 {e.intent} 的这条例句有 {len(e.plain):,} 个字（开头是「{e.plain[:20]}……」）：机器人只读顾客消息的"
        f"前 {MAX_MESSAGE_CHARS} 个字，这么长的例句不像顾客说的话，只会让训练变慢、变差。",
        "删掉它，或者把它拆成几条短的、像顾客真正会说的问法。")
        for b in model.nlu for e in b.examples if len(e.plain) > MAX_MESSAGE_CHARS]


def _counts(model: Model) -> Iterator[Finding]:
    for intent, blocks in model.intents_with_examples().items():
        n = len({e.plain for b in blocks for e in b.examples})
        if n == 0 or n >= MIN_EXAMPLES:
            continue  # no examples at all: check 2 reports it
        if n < MIN_EXAMPLES_ERROR:
            severity, code = error, "examples.too_few"
            why = f"少于 {MIN_EXAMPLES_ERROR} 条机器人基本学不会（课程要求至少 {MIN_EXAMPLES} 条）。"
        else:
            severity, code, why = warning, "examples.few", f"课程要求至少 {MIN_EXAMPLES} 条，少了容易认错。"
        yield severity(
            code, blocks[0].file, blocks[0].line, f"意图 {intent} 只有 {n} 条例句，{why}",
            f"再写至少 {MIN_EXAMPLES - n} 条不同的问法：像真实顾客一样写，口语、错别字、带订单号、长句短句都要有。")


def _duplicates(model: Model) -> Iterator[Finding]:
    order = {rel: i for i, rel in enumerate(model.files)}
    examples = [e for b in model.nlu for e in b.examples if len(e.plain) <= MAX_MESSAGE_CHARS]
    examples.sort(key=lambda e: (order.get(e.file, len(order)), e.line))
    # exact duplicates (after entity annotations are removed)
    by_text: Dict[str, List[Example]] = {}
    for example in examples:
        by_text.setdefault(example.plain, []).append(example)
    for text, same in by_text.items():
        first_in: Dict[str, Example] = {}
        for example in same:
            first = first_in.setdefault(example.intent, example)
            if first is not example:
                yield warning(
                    "examples.duplicate", example.file, example.line,
                    f"例句「{text}」在意图 {example.intent} 里重复了（第一次在 {first.file}:{first.line}）。",
                    "删掉这一条，换成一个新的问法。", also=[(first.file, first.line)])
            elif len(first_in) > 1:  # already the example of another intent
                other = next(iter(first_in.values()))
                yield error(
                    "examples.two_intents", example.file, example.line,
                    f"同一句话「{text}」同时是意图 {other.intent}（{other.file}:{other.line}）和 "
                    f"{example.intent}（{example.file}:{example.line}）的例句：机器人分不清该归哪个意图。",
                    "想清楚顾客说这句话时想问什么，只在那个意图里保留它，另一处删掉。",
                    also=[(other.file, other.line)], key=("two_intents", text))
    # near duplicates: the same after normalisation, different as written
    by_key: Dict[str, List[Example]] = {}
    for example in examples:
        key = normalise(example.plain)
        if key:
            by_key.setdefault(key, []).append(example)
    for key, group in by_key.items():
        firsts: List[Example] = []
        for example in group:
            if any(f.intent == example.intent and f.plain == example.plain for f in firsts):
                continue  # an exact duplicate: reported above
            base_same = next((f for f in firsts if f.intent == example.intent), None)
            base_other = next((f for f in firsts if f.intent != example.intent and f.plain != example.plain), None)
            firsts.append(example)
            if base_same is not None:
                if len(key) < MIN_DUPLICATE_CHARS:
                    continue  # 好的 / 好: short acknowledgements may both be examples
                yield warning(
                    "examples.similar", example.file, example.line,
                    f"例句「{example.plain}」和「{base_same.plain}」（{base_same.file}:{base_same.line}）只差标点、"
                    f"空格、表情或“{IGNORED_WORDS}”这类词，对机器人来说是同一句话，学不到新东西。",
                    "删掉其中一条，或者改写成真正不同的问法（换个说法、加上具体商品或情况）。",
                    also=[(base_same.file, base_same.line)])
            elif base_other is not None:
                yield error(
                    "examples.similar_two_intents", example.file, example.line,
                    f"例句「{example.plain}」（意图 {example.intent}）和「{base_other.plain}」"
                    f"（意图 {base_other.intent}，{base_other.file}:{base_other.line}）只差标点、空格、表情或语气词，"
                    f"等于同一句话放进了两个意图，机器人分不清。",
                    "只在正确的那个意图里保留它，另一处删掉或改成明显不同的问法。",
                    also=[(base_other.file, base_other.line)])

