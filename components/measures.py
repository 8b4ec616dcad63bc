"""Finds order numbers and body measures in shoppers' free text: pure functions (no Rasa),
easy to test. Values are normalised: height in cm, weight in kg, foot length in cm."""
from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Text


class Found(NamedTuple):
    entity: Text
    value: Text
    start: int
    end: int


# Taobao order numbers are long digit runs; shorter runs are sizes, prices, phones.
ORDER_ID = re.compile(r"(?<!\d)\d{15,20}(?!\d)")
_CN_DIGITS = {**{c: i for i, c in enumerate("零一二三四五六七八九")}, "两": 2, "〇": 0}
_DIGIT = "[0-9零一二三四五六七八九两〇]"

# "一米七五", "1米7", "1.75米", "1.75m"
HEIGHT_METRES = re.compile(rf"([1一])\s*(?:米|m|M)\s*({_DIGIT})({_DIGIT})?(?![0-9])")
HEIGHT_DECIMAL = re.compile(r"(?<![\d.])1\.([4-9]\d?)\s*(?:米|m|M)(?![a-zA-Z])")
# "170", "170cm", "身高170"
HEIGHT_CM = re.compile(r"(?<![\d.])(1[2-9]\d|2[01]\d)(?:\.\d)?\s*(?:cm|CM|厘米|公分)?(?![\d.]|\s*(?:斤|kg|KG|公斤|千克|元|块|mm|码|号|ml|g\b))")
# "60kg", "60公斤", "120斤", "体重60"
WEIGHT = re.compile(r"(?<![\d.])(\d{2,3}(?:\.\d)?)\s*(kg|KG|Kg|公斤|千克|斤)")
WEIGHT_AFTER_WORD = re.compile(r"(?:体重|重)\s*(\d{2,3}(?:\.\d)?)(?![\d.])")
# "九十斤", "一百二十斤", "一百二", "七十五公斤"
WEIGHT_CHINESE = re.compile(
    r"((?:[一二两三四五六七八九]百)?(?:[零一二三四五六七八九]?十)?[零一二三四五六七八九]?)\s*(公斤|千克|斤)")
FOOT_CM = re.compile(r"脚长\s*(?:是|有)?\s*(\d{2}(?:\.\d)?)\s*(?:cm|CM|厘米)?")
FOOT_MM = re.compile(r"(?<!\d)(2[0-9]\d)\s*(?:mm|MM|毫米)")
# A bare number right after a height ("170 60", "175/70") is the weight.
BARE_AFTER_HEIGHT = re.compile(r"^\s*[/，,、\s]\s*(\d{2,3}(?:\.\d)?)(?![\d.]|\s*(?:cm|厘米|码|号))")


def _cn(ch: Optional[Text]) -> int:
    return 0 if ch is None else int(ch) if ch.isdigit() else _CN_DIGITS[ch]


def chinese_number(text: Text) -> Optional[int]:
    """Value of a Chinese numeral below 1000 ("九十" -> 90, "一百二" -> 120)."""
    if not text:
        return None
    value, rest = 0, text
    if "百" in rest:
        head, rest = rest.split("百", 1)
        value += _CN_DIGITS.get(head, 1) * 100
        if len(rest) == 1 and rest != "十":  # "一百二" means 120
            return value + _CN_DIGITS[rest] * 10
    if "十" in rest:
        head, rest = rest.split("十", 1)
        value += (_CN_DIGITS.get(head, 1) if head else 1) * 10
    rest = rest.lstrip("零")
    return (value + _CN_DIGITS[rest] if rest else value) or None


def _weight_kg(number: float, unit: Text) -> float:
    # Without a unit Chinese shoppers mostly mean 斤 when the number is large.
    return number / 2 if unit == "斤" or (not unit and number > 90) else number


def _overlaps(found: List[Found], start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in found)


def find_measures(text: Text) -> List[Found]:
    """All order numbers, heights, weights and foot lengths in the text."""
    found: List[Found] = []

    def add(entity: Text, value: float, start: int, end: int) -> None:
        if not _overlaps(found, start, end):
            shown = str(int(value)) if value == int(value) else f"{value:.1f}"
            found.append(Found(entity, shown, start, end))

    for m in ORDER_ID.finditer(text):
        found.append(Found("order_id", m.group(0), m.start(), m.end()))
    # Spans cover the number itself, so annotated test stories line up with them.
    for m in FOOT_CM.finditer(text):
        add("foot_length", float(m.group(1)), m.start(1), m.end(1))
    for m in FOOT_MM.finditer(text):
        add("foot_length", int(m.group(1)) / 10, m.start(1), m.end(1))
    for m in WEIGHT.finditer(text):
        add("weight", _weight_kg(float(m.group(1)), m.group(2)), m.start(1), m.end(1))
    for m in WEIGHT_CHINESE.finditer(text):
        if (number := chinese_number(m.group(1))):
            add("weight", _weight_kg(number, m.group(2)), m.start(1), m.end(1))
    for m in WEIGHT_AFTER_WORD.finditer(text):
        add("weight", _weight_kg(float(m.group(1)), ""), m.start(1), m.end(1))

    heights = [(100 + _cn(m.group(2)) * 10 + _cn(m.group(3)), m) for m in HEIGHT_METRES.finditer(text)]
    heights += [(100 + int(m.group(1).ljust(2, "0")), m) for m in HEIGHT_DECIMAL.finditer(text)]
    heights += [(float(m.group(1)), m) for m in HEIGHT_CM.finditer(text)]
    for value, m in heights:
        # Metre forms ("一米七五") are one span; "170cm" keeps the number only.
        start, end = (m.start(1), m.end(1)) if m.re is HEIGHT_CM else (m.start(), m.end())
        if _overlaps(found, start, end):
            continue
        add("height", value, start, end)
        if not any(f.entity == "weight" for f in found):
            if (bare := BARE_AFTER_HEIGHT.match(text[m.end():])):
                start = m.end() + bare.start(1)
                add("weight", _weight_kg(float(bare.group(1)), ""), start, m.end() + bare.end(1))
    return sorted(found, key=lambda f: f.start)
