"""The geometry of the SVG charts on the grade and diagnose pages.

A chart is plain data: its size, a title and a list of shapes (tag, attributes,
text). templates/charts.html draws every chart with one macro, so all the text in a
chart goes through Jinja2's escaping. SVG needs no font on the grading machine and
stays sharp when printed: the browser draws the Chinese labels with its own fonts.
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.textwidth import width

Chart = Dict[str, Any]
MUTED, INK, TRACK = "#8a8f99", "#1f2329", "#f2f3f5"


def _n(value: float) -> str:
    """Coordinates with one decimal at most ("12", "12.5")."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shape(tag: str, text: Optional[str] = None, title: Optional[str] = None, **attrs: Any) -> Dict[str, Any]:
    """An SVG element; attribute names use _ for - (stroke_width -> stroke-width)."""
    return {"tag": tag, "text": text, "title": title,
            "attrs": {k.replace("_", "-"): _n(v) if isinstance(v, (int, float)) else v for k, v in attrs.items()}}


def chart(w: float, h: float, title: str, shapes: List[Dict[str, Any]], font: int) -> Chart:
    return {"width": _n(w), "height": _n(h), "title": title, "shapes": shapes, "font": font}


def text_px(text: str, font: int) -> float:
    """About how wide `text` is drawn: a CJK character is about one font size wide."""
    return width(text) * font * 0.55


def bars(items: Sequence[Tuple[str, Optional[float], str, str]], title: str, scale: Optional[float] = None,
         bar_width: int = 420, font: int = 14) -> Optional[Chart]:
    """Horizontal bars, one per (label, value, note, colour); None when there are no items.

    With a `scale` (1.0 for rates) every bar has a grey track and an axis at 0, 50 and
    100 %, and a None value reads "N/A"; without, the longest bar is the full width.
    """
    if not items:
        return None
    row, top = 32, 6
    label_px = min(320.0, max(text_px(name, font) for name, _, _, _ in items) + 12)
    full = scale or max((value or 0) for _, value, _, _ in items) or 1
    axis = 22 if scale else 0
    height = top + row * len(items) + axis + 4
    shapes = []
    if scale:
        for tick in (0, 0.5, 1):
            x = label_px + bar_width * tick
            shapes.append(shape("line", x1=x, y1=2, x2=x, y2=height - axis + 2, stroke="#e5e6eb"))
            shapes.append(shape("text", f"{int(tick * 100)}%", x=x, y=height - 6, text_anchor="middle",
                                fill=MUTED))
    for i, (name, value, note, colour) in enumerate(items):
        y = top + i * row
        shown = name if text_px(name, font) <= label_px - 8 else name[: int((label_px - 8) / font)] + "…"
        shapes.append(shape("text", shown, title=name if shown != name else None, x=label_px - 8, y=y + 20,
                            text_anchor="end", fill=INK))
        if scale:
            shapes.append(shape("rect", x=label_px, y=y + 5, width=bar_width, height=20, rx=3, fill=TRACK))
        if value is None:
            shapes.append(shape("text", "N/A（没有题目）", x=label_px + 8, y=y + 20, fill=MUTED))
            continue
        length = bar_width * value / full
        if value > 0:
            length = max(2.0, length)
            shapes.append(shape("rect", x=label_px, y=y + 5, width=length, height=20, rx=3, fill=colour))
        note_x = label_px + (bar_width if scale else length) + 8
        shapes.append(shape("text", note, x=note_x, y=y + 20, fill="#52606d"))
    return chart(label_px + bar_width + 140, height, title, shapes, font)


def heatmap(rows: Sequence[str], columns: Sequence[str], counts: Dict[str, Dict[str, int]],
            good: Dict[Tuple[str, str], bool], names: Dict[str, str], title: str) -> Chart:
    """A table of counts whose cells are green (right) or red (wrong), darker for a larger share of the row."""
    top, ch, font = 30, 34, 13
    left = max(text_px(names[r], font) for r in rows) + 14
    cw = max(66.0, max(text_px(names[c], font) for c in columns) + 10)
    shapes = [shape("text", names[c], x=left + cw * j + cw / 2, y=top - 10, text_anchor="middle", fill="#434a54")
              for j, c in enumerate(columns)]
    for i, row in enumerate(rows):
        total = sum(counts[row].values()) or 1
        y = top + ch * i
        shapes.append(shape("text", names[row], x=left - 8, y=y + ch / 2 + 5, text_anchor="end", fill="#434a54"))
        for j, column in enumerate(columns):
            count = counts[row].get(column, 0)
            share = count / total
            rgb = "82,196,26" if good[(row, column)] else "245,34,45"
            alpha = 0.08 + 0.85 * share if count else 0.03
            shapes.append(shape("rect", x=left + cw * j, y=y, width=cw - 2, height=ch - 2, fill=f"rgba({rgb},{alpha:.2f})"))
            if count:
                shapes.append(shape("text", str(count), x=left + cw * j + cw / 2 - 1, y=y + ch / 2 + 4,
                                    text_anchor="middle", fill="#fff" if share > 0.55 else INK))
    return chart(left + cw * len(columns) + 10, top + ch * len(rows) + 10, title, shapes, font)


def histogram(scores: Sequence[float], title: str) -> Chart:
    """How many scores fall in 0-9, 10-19, ... 90-100."""
    bins = [0] * 10
    for s in scores:
        bins[min(9, int(s // 10))] += 1
    peak = max(bins) or 1
    bw, hgt, left, top = 56, 140, 10, 22
    shapes = []
    for i, n in enumerate(bins):
        bh = hgt * n / peak
        x = left + bw * i
        shapes.append(shape("rect", x=x + 4, y=top + hgt - bh, width=bw - 8, height=bh, fill="#ff6a00", rx=2))
        if n:
            shapes.append(shape("text", str(n), x=x + bw / 2, y=top + hgt - bh - 5, text_anchor="middle"))
        shapes.append(shape("text", f"{i * 10}-{i * 10 + 9 if i < 9 else 100}", x=x + bw / 2, y=top + hgt + 20,
                            text_anchor="middle", fill=MUTED))
    return chart(left + bw * 10 + 10, top + hgt + 30, title, shapes, 13)


def donut(segments: Sequence[Tuple[str, int, str]], centre: str, caption: str) -> Chart:
    """A ring of (label, count, colour) with a legend of counts and shares."""
    total = sum(count for _, count, _ in segments)
    r, cx, cy, stroke = 80, 110, 110, 34
    shapes = [shape("circle", cx=cx, cy=cy, r=r, fill="none", stroke="#e4e7eb", stroke_width=stroke)]
    circumference = 2 * math.pi * r
    offset = 0.0
    for _, count, colour in segments:
        if not total or not count:
            continue
        length = circumference * count / total
        shapes.append(shape("circle", cx=cx, cy=cy, r=r, fill="none", stroke=colour, stroke_width=stroke,
                            stroke_dasharray=f"{length:.2f} {circumference - length:.2f}",
                            stroke_dashoffset=f"{-offset:.2f}", transform=f"rotate(-90 {cx} {cy})"))
        offset += length
    shapes.append(shape("text", centre, x=cx, y=cy + 4, text_anchor="middle", font_size=28, font_weight="bold", fill=INK))
    shapes.append(shape("text", caption, x=cx, y=cy + 28, text_anchor="middle", fill="#52606d"))
    for i, (name, count, colour) in enumerate(segments):
        y = 60 + i * 34
        share = f"{count / total * 100:.1f}%" if total else "无"
        shapes.append(shape("rect", x=240, y=y - 14, width=18, height=18, rx=3, fill=colour))
        shapes.append(shape("text", f"{name}：{count} 条（{share}）", x=266, y=y, fill=INK))
    return chart(580, 230, caption, shapes, 15)
