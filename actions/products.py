"""Product facts for the replies, and size recommendation (pure functions, no Rasa).

A product is a dict from shop/catalog.yml. Lists become Chinese enumerations
("白色、黑色"), never Python lists.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

Product = Dict[Text, Any]

def number_text(value: Any) -> Text:
    """170.0 -> "170", 24.5 -> "24.5"."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def to_number(value: Any) -> Optional[float]:
    """A measure from a slot or an entity ("170", 170, "170.0") as float, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def enumerate_text(items: Sequence[Any]) -> Text:
    return "、".join(str(i) for i in items)


def name(product: Optional[Product], fallback: Text = "") -> Text:
    return str(product.get("name") or product.get("id") or fallback) if product else fallback


def price_text(product: Product) -> Text:
    return number_text(product.get("price", ""))


def colors(product: Product) -> List[Text]:
    return [str(c) for c in product.get("colors") or []]


def stock_split(product: Product) -> Tuple[List[Text], List[Text]]:
    """(colours in stock, colours sold out). A colour without a count counts as sold out."""
    stock = product.get("stock") or {}
    in_stock, sold_out = [], []
    for colour in colors(product) or [str(c) for c in stock]:
        count = stock.get(colour, 0) if isinstance(stock, dict) else 0
        try:
            available = int(count) > 0
        except (TypeError, ValueError):
            available = False
        (in_stock if available else sold_out).append(colour)
    return in_stock, sold_out


def has_sizes(product: Product) -> bool:
    return bool(product.get("sizes")) and product.get("kind") in ("clothing", "shoes")


def sizes_text(product: Product) -> Text:
    return enumerate_text(product.get("sizes") or [])


def spec_text(product: Product) -> Text:
    return str(product.get("spec") or "均码")


def _range(row: Dict[Text, Any], key: Text) -> Optional[Tuple[float, float]]:
    value = row.get(key)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    low, high = to_number(value[0]), to_number(value[1])
    if low is None or high is None or low > high:
        return None
    return low, high


def chart_rows(product: Product, *keys: Text) -> List[Dict[Text, Any]]:
    """Rows of the size chart that have a size and a valid range for every key."""
    return [row for row in product.get("size_chart") or []
            if isinstance(row, dict) and row.get("size") is not None and all(_range(row, k) for k in keys)]


def _span(rows: List[Dict[Text, Any]], key: Text, unit: Text) -> Text:
    return f"{number_text(_range(rows[0], key)[0])}-{number_text(_range(rows[-1], key)[1])}{unit}"


def size_chart_text(product: Product) -> Text:
    """The size chart as lines, e.g. "M码：身高160-168cm，体重50-58kg"."""
    if product.get("kind") == "shoes":
        return "\n".join(f"{row['size']}码：脚长{_span([row], 'foot_length', 'cm')}"
                         for row in chart_rows(product, "foot_length"))
    return "\n".join(
        f"{row['size']}码：身高{_span([row], 'height', 'cm')}，体重{_span([row], 'weight', 'kg')}"
        for row in chart_rows(product, "height", "weight")
    )


@dataclass(frozen=True)
class SizeAdvice:
    """The outcome of a size recommendation.

    reason: fit (one size fits both measures), between (height and weight point to
    different sizes; the larger is recommended), out_of_range, no_sizes, no_chart,
    need_measures (clothing without height or weight), need_foot_length (shoes).
    """

    reason: Text
    size: Optional[Text] = None
    size_by_height: Optional[Text] = None
    size_by_weight: Optional[Text] = None
    chart_range: Text = ""


def _position(rows: List[Dict[Text, Any]], key: Text, value: float) -> Optional[int]:
    """Index of the chart row for `value`; None if outside the chart.

    On a shared boundary (168 is the top of M and the bottom of L) and in a gap
    between rows the larger size wins: a little room is more comfortable.
    """
    ranges = [_range(r, key) for r in rows]
    matches = [i for i, (low, high) in enumerate(ranges) if low <= value <= high]
    if matches:
        return max(matches)
    if value < ranges[0][0] or value > ranges[-1][1]:
        return None
    return next(i for i, (low, _) in enumerate(ranges) if low > value)


def recommend_clothing(product: Product, height: Optional[float],
                       weight: Optional[float]) -> SizeAdvice:
    rows = chart_rows(product, "height", "weight")
    if not rows:
        return SizeAdvice("no_chart")
    if height is None or weight is None:
        return SizeAdvice("need_measures")
    chart_range = f"身高{_span(rows, 'height', 'cm')}，体重{_span(rows, 'weight', 'kg')}"
    by_height = _position(rows, "height", height)
    by_weight = _position(rows, "weight", weight)
    if by_height is None or by_weight is None:
        return SizeAdvice("out_of_range", chart_range=chart_range)
    return SizeAdvice(
        "fit" if by_height == by_weight else "between",
        size=str(rows[max(by_height, by_weight)]["size"]),
        size_by_height=str(rows[by_height]["size"]),
        size_by_weight=str(rows[by_weight]["size"]),
        chart_range=chart_range,
    )


def recommend_shoes(product: Product, foot_length: Optional[float]) -> SizeAdvice:
    rows = chart_rows(product, "foot_length")
    if not rows:
        return SizeAdvice("no_chart")
    chart_range = f"脚长{_span(rows, 'foot_length', 'cm')}"
    if foot_length is None:
        return SizeAdvice("need_foot_length", chart_range=chart_range)
    position = _position(rows, "foot_length", foot_length)
    if position is None:
        return SizeAdvice("out_of_range", chart_range=chart_range)
    return SizeAdvice("fit", size=str(rows[position]["size"]), chart_range=chart_range)


def recommend_size(product: Product, height: Optional[float] = None, weight: Optional[float] = None,
                   foot_length: Optional[float] = None) -> SizeAdvice:
    if not has_sizes(product):
        return SizeAdvice("no_sizes")
    if product.get("kind") == "shoes":
        return recommend_shoes(product, foot_length)
    return recommend_clothing(product, height, weight)
