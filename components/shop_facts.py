"""Reads the few shop facts the NLU components need at training time."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Text

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
# A shop file read here must also be in bot.project.SHOP_TRAINING_FILES, which names
# the model after them (a test checks that the two agree); each component also puts
# what it read into its fingerprint for Rasa's cache.


def shop_dir() -> Path:
    """The folder holding catalog.yml, policy.yml, terms.txt…: SHOP_DIR lets the grader
    point the reference components at a student project."""
    return Path(os.environ.get("SHOP_DIR") or PROJECT_DIR / "shop")


def _read_yaml(name: Text) -> Dict:
    path = shop_dir() / name
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def product_names() -> Dict[Text, Text]:
    """Every product name and alias mapped to its product id."""
    products = _read_yaml("catalog.yml").get("products") or []
    return {str(name): str(p["id"]) for p in products if isinstance(p, dict) and p.get("id")
            for name in [p.get("name")] + list(p.get("aliases") or []) if name}


def _text_lines(name: Text) -> List[Text]:
    """The lines of a hand-kept text file in shop/, without comments (#) and blank lines."""
    path = shop_dir() / name
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8-sig").splitlines())
    return [line for line in lines if line]


def shop_terms() -> List[Text]:
    """Shop vocabulary from shop/terms.txt (one term per line, # for comments)."""
    return [line.split()[0] for line in _text_lines("terms.txt")]


def policy_words(key: Text) -> List[Text]:
    """A word list from shop/policy.yml, e.g. handoff_keywords."""
    return [str(w) for w in _read_yaml("policy.yml").get(key) or [] if str(w).strip()]


def _word_file(name: Text) -> List[Text]:
    """Words of a hand-kept list in shop/ (several per line, # for comments)."""
    return [word for line in _text_lines(name) for word in line.split()]


def product_kinds() -> List[Text]:
    """Kinds of goods shoppers name (shop/product_kinds.txt): 吹风机, 行李箱, 零食…"""
    return _word_file("product_kinds.txt")


def fault_words() -> List[Text]:
    """Words shoppers describe a fault with (shop/fault_words.txt): 不亮, 漏水, 异响…"""
    return _word_file("fault_words.txt")


def intent_categories() -> Dict[Text, Text]:
    """intent -> topic category, from shop/intents.yml (empty when it is missing)."""
    intents = _read_yaml("intents.yml").get("intents") or {}
    return {str(name): str((entry or {}).get("category") or "other")
            for name, entry in intents.items() if isinstance(entry, dict) or entry is None}


def category_fallback_intents() -> Dict[Text, Text]:
    """category -> its 类别兜底 intent (categories.<c>.fallback_intent in shop/intents.yml)."""
    categories = _read_yaml("intents.yml").get("categories") or {}
    return {str(c): str(entry["fallback_intent"]) for c, entry in categories.items()
            if isinstance(entry, dict) and entry.get("fallback_intent")}
