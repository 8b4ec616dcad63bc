"""Check 5: shop/catalog.yml, the product knowledge the product Q&A answers from.

Every product has the fields the Q&A needs (an empty value counts as missing), a price
that is a number, an id and names no other product has (the bot could not tell which
one the customer means), and texts customers read that keep the answers' wording rules
(absolute promises, 极限词, impolite words).
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from bot import answer_rules as ar
from bot.answer_rules import AnswerRules
from bot.checks.findings import Finding, error, warning
from bot.checks.model import Model
from bot.checks.source import Node
from bot.checks.yaml_syntax.keys import PRODUCT_FIELDS, canonical_key

CATALOG = "shop/catalog.yml"
REQUIRED = ["id", "name", "price", "material", "care", "colors"]
SIZED_KINDS = {"clothing", "shoes"}
SIZED_REQUIRED = ["sizes", "size_chart"]
KINDS = {"clothing": "服装", "shoes": "鞋", "skincare": "护肤", "electronics": "数码"}
CUSTOMER_TEXTS = ["material", "care", "quality", "description", "return_note"]
FIELD_WORDS = {
    "id": "商品编号 id", "name": "商品名称 name", "price": "价格 price", "material": "材质 material",
    "care": "使用和保养 care", "colors": "颜色 colors", "sizes": "尺码 sizes",
    "size_chart": "尺码表 size_chart",
}


def _field(product: Node, name: str) -> Optional[Node]:
    return next((v for k, v in product.pairs if canonical_key(str(k.value), PRODUCT_FIELDS) == name), None)


def _empty(node: Optional[Node]) -> bool:
    return node is None or not (node.text().strip() if node.is_scalar else node.items or node.pairs)


def check(model: Model, rules: AnswerRules) -> List[Finding]:
    if CATALOG not in model.files:
        if "shop/intents.yml" in model.files or "shop/policy.yml" in model.files:
            return [warning(
                "catalog.missing", None, None,
                "项目里没有 shop/catalog.yml：商品问答（价格、尺码、材质……）会使用参考项目的商品目录。",
                "如果要用自己的商品，从参考项目复制 shop/catalog.yml 再修改。")]
        return []
    parsed = model.catalog
    if parsed is None or parsed.tree is None:
        return []  # check 1 reported why it cannot be read
    products = parsed.tree.get("products")  # None in a list or a text too
    if products is None or not products.is_seq:
        return [error("catalog.no_products", CATALOG, parsed.tree.line,
                      "shop/catalog.yml 里没有 products: 商品列表。",
                      "按参考项目的格式写：products: 下面每个商品以 '- id: P01' 开头。")]
    findings: List[Finding] = []
    ids: Dict[str, Tuple[str, int]] = {}
    names: Dict[str, Tuple[str, str, int]] = {}   # name/alias -> (product label, what, line)
    for index, product in enumerate(products.items, 1):
        if not product.is_map:
            findings.append(error("catalog.not_a_product", CATALOG, product.line,
                                  f"第 {index} 个商品的写法不对：每个商品要写成若干 '字段: 值'。",
                                  "参照上面的商品，以 '- id: P..' 开头，下面逐行写 name、price 等字段。"))
            continue
        findings += _product(product, index, ids, names, rules)
    return findings


def _label(product: Node, index: int) -> str:
    pid = _field(product, "id")
    name = _field(product, "name")
    if not _empty(pid):
        return f"商品 {pid.text()}" + (f"（{name.text()}）" if not _empty(name) else "")
    if not _empty(name):
        return f"商品「{name.text()}」"
    return f"第 {index} 个商品"


def _product(product: Node, index: int, ids: Dict[str, Tuple[str, int]],
             names: Dict[str, Tuple[str, str, int]], rules: AnswerRules) -> Iterator[Finding]:
    label = _label(product, index)
    kind_node = _field(product, "kind")
    kind = kind_node.text().strip() if kind_node is not None else ""
    required = REQUIRED + (SIZED_REQUIRED if kind in SIZED_KINDS else [])
    missing = [f for f in required if _empty(_field(product, f))]
    if missing:
        sized = "（服装和鞋还要有尺码和尺码表，才能回答“穿什么码”）" if set(missing) & set(SIZED_REQUIRED) else ""
        yield error(
            "catalog.missing_field", CATALOG, product.line,
            f"{label}缺少{'、'.join(FIELD_WORDS[f] for f in missing)}：顾客问到时小悦答不上来{sized}。",
            "参照其他商品补上：" + "、".join(f"{f}:" for f in missing) + "（字段名用英文，缩进和 id 对齐）。")
    if kind and kind not in KINDS:
        yield warning(
            "catalog.kind", CATALOG, kind_node.line,
            f"{label}的类别 kind: {kind} 不认识，尺码推荐等功能会当它不分尺码。",
            "kind 只能是：" + "、".join(f"{k}（{v}）" for k, v in KINDS.items()) + "。")
    price = _field(product, "price")
    if not _empty(price) and (not price.is_scalar or isinstance(price.value, bool)
                              or not _is_number(price.value)):
        yield error(
            "catalog.price", CATALOG, price.line,
            f"{label}的价格 price: {price.text()} 不是数字：回答价格时会出错。",
            "只写数字，例如 price: 129（不要写“元”或“¥”）。")
    pid = _field(product, "id")
    if not _empty(pid):
        key = pid.text().strip().upper()
        if key in ids:
            first_label, first_line = ids[key]
            yield error(
                "catalog.duplicate_id", CATALOG, pid.line,
                f"商品编号 {pid.text()} 重复了：{first_label}（{CATALOG}:{first_line}）也用了它，"
                f"按编号查商品时只会找到其中一个。",
                "给这个商品换一个没用过的编号（改了编号也要同步改 shop/orders.yml）。",
                also=[(CATALOG, first_line)])
        else:
            ids[key] = (label, pid.line)
    own = set()
    name = _field(product, "name")
    entries = [("名称", name)] if not _empty(name) else []
    aliases = _field(product, "aliases")
    if aliases is not None and aliases.is_seq:
        entries += [("别名", item) for item in aliases.items if not _empty(item)]
    for what, node in entries:
        key = node.text().strip().casefold()
        if key in own:
            continue
        own.add(key)
        if key in names and names[key][0] != label:
            other_label, other_what, other_line = names[key]
            yield error(
                "catalog.shared_alias", CATALOG, node.line,
                f"{label}的{what}「{node.text()}」和{other_label}的{other_what}一样"
                f"（{CATALOG}:{other_line}）：顾客说“{node.text()}”时小悦分不清是哪件商品。",
                "把其中一个改成更具体的叫法（例如加上颜色、款式），或者删掉重复的别名。",
                also=[(CATALOG, other_line)])
        else:
            names.setdefault(key, (label, what, node.line))
    for field_name in CUSTOMER_TEXTS:
        node = _field(product, field_name)
        if _empty(node) or not node.is_scalar:
            continue
        for code, what in ((ar.PROMISE, "绝对化承诺"), (ar.SUPERLATIVE, "极限词"), (ar.IMPOLITE, "不礼貌的用语")):
            if words := rules.find(code, node.text()):
                yield error(
                    "catalog.wording", CATALOG, node.line,
                    f"{label}的 {field_name} 会原样回答给顾客，但用了{what}：{'、'.join(words)}。",
                    "换成客观、具体的描述（广告法不允许“最、第一、顶级、保证、绝对、100%”等说法）。")


def _is_number(value: Any) -> bool:
    if not isinstance(value, (int, float)):
        try:
            float(str(value))
        except ValueError:
            return False
    return True
