"""The shop's facts: catalog, policy and the order fixture, read from shop/*.yml.

The folder is <project>/shop, found from this file (never the working directory).
The SHOP_DIR environment variable points the actions at another project's shop folder
(the grader uses it for a student's copy); a file missing there is read from this
project instead. Files are cached and re-read when they change on disk, so a student
who edits catalog.yml sees the change without restarting the action server.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent
REFERENCE_SHOP_DIR = PROJECT_DIR / "shop"

CATALOG_FILE = "catalog.yml"
POLICY_FILE = "policy.yml"
ORDERS_FILE = "orders.yml"


@lru_cache(maxsize=32)
def _read_yaml(path: Text, mtime_ns: int) -> Dict[Text, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        logger.error("无法读取 %s（请检查 YAML 格式）：%s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def load(name: Text) -> Dict[Text, Any]:
    """The parsed YAML file `name` of the shop folder ({} if missing or broken).

    The result is shared between callers: read it, never modify it.
    """
    path = Path(os.environ.get("SHOP_DIR") or REFERENCE_SHOP_DIR) / name
    if not path.exists():
        path = REFERENCE_SHOP_DIR / name
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        logger.warning("没有找到 %s", path)
        return {}
    return _read_yaml(str(path), mtime)


def products() -> List[Dict[Text, Any]]:
    """All products of shop/catalog.yml that have an id."""
    listed = load(CATALOG_FILE).get("products") or []
    return [p for p in listed if isinstance(p, dict) and p.get("id")]


def _names(product: Dict[Text, Any]) -> List[Any]:
    return [product.get("name")] + list(product.get("aliases") or [])


def product_by_id(product_id: Optional[Text]) -> Optional[Dict[Text, Any]]:
    if not product_id:
        return None
    wanted = str(product_id).strip().upper()
    return next((p for p in products() if str(p["id"]).upper() == wanted), None)


def find_product(value: Any) -> Optional[Dict[Text, Any]]:
    """The product whose id, name or alias is `value` (case-insensitive), else None.

    Entities normally carry the product id (P03), but a name ("牛仔裤") works too.
    """
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    if not text or len(text) > 100:
        return None
    found = product_by_id(text)
    if found:
        return found
    folded = text.casefold()
    return next((p for p in products()
                 if any(n is not None and str(n).casefold() == folded for n in _names(p))), None)


def find_product_in_text(text: Any) -> Optional[Dict[Text, Any]]:
    """The product whose name or alias occurs in free text (the longest match wins)."""
    if not text:
        return None
    folded = str(text)[:500].casefold()
    found = [(len(name), p) for p in products()
             for name in (str(n or "").casefold() for n in _names(p)) if name and name in folded]
    # Of equally long names the first in the catalog wins: max() keeps the first.
    return max(found, key=lambda match: match[0], default=(0, None))[1]


def policy() -> Dict[Text, Any]:
    return load(POLICY_FILE)


def format_value(value: Any) -> Text:
    """A policy value as the text a response shows (12 -> "12", 12.0 -> "12")."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def policy_scalars() -> Dict[Text, Text]:
    """Every scalar policy value as text, keyed like the domain's policy slots."""
    return {str(key): format_value(value) for key, value in policy().items()
            if isinstance(value, (str, int, float, bool))}


def order_fixture() -> List[Dict[Text, Any]]:
    """The orders of shop/orders.yml that seed a new order database."""
    return [o for o in load(ORDERS_FILE).get("orders") or [] if isinstance(o, dict)]
