"""config.yml may only name Rasa's own components and the reference project's.

Training and grading run with the reference project's code (bot/training.py): a
component a student wrote (`components.my_detector.MyDetector`, `my_pkg.Filter`) is
never imported, and Rasa stops with "No module named ...". This check says so before
training, at the config line; training says the same when it fails that way.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Optional

from bot.checks.findings import Finding, error
from bot.checks.model import Model
from bot.checks.yaml_syntax.keys import CONFIG_TOP, canonical_key
from bot.project import REFERENCE_ROOT

CONFIG = "config.yml"
SECTIONS = ("pipeline", "policies")


@lru_cache(maxsize=None)
def reference_component(name: str) -> bool:
    """`components.<module>.<Class>` with that class in the reference's components/."""
    parts = name.split(".")
    if len(parts) != 3 or parts[0] != "components":
        return False
    try:
        code = (REFERENCE_ROOT / "components" / f"{parts[1]}.py").read_text("utf-8")
    except OSError:
        return False
    return re.search(rf"^class {re.escape(parts[2])}\b", code, re.M) is not None


def custom_component(name: str) -> bool:
    """A module path that is neither Rasa's (`rasa.…`) nor the reference's."""
    return "." in name and not name.startswith("rasa.") and not reference_component(name)


def explain(name: str) -> str:
    """Why a custom component cannot be used (shared with training's error message)."""
    return (f"config.yml 用了组件 {name}，它不是 Rasa 自带的组件，也不在参考项目的 components/ 里。"
            f"训练和评分只使用 Rasa 自带的组件和参考项目 components/ 里的组件，"
            f"学生项目里的 Python 代码不会被运行，所以不能在 config.yml 里加自己写的组件。")


FIX = "删掉这一项，或者改回参考项目 config.yml 里的组件名（例如 components.handoff_detector.HandoffKeywordDetector）。"


def check(model: Model) -> List[Finding]:
    parsed = model.files.get(CONFIG)
    if parsed is None or parsed.tree is None or not parsed.tree.is_map:
        return []
    names = [item.get("name") for key, section in parsed.tree.pairs
             if canonical_key(str(key.value), CONFIG_TOP) in SECTIONS and section.is_seq
             for item in section.items if item.is_map]
    return [error("config.custom_component", CONFIG, name.line, explain(name.text().strip()), FIX)
            for name in names if name is not None and name.is_scalar and custom_component(name.text().strip())]


def component_in_error(log: str) -> Optional[str]:
    """The config.yml component (or its module) a failed training could not load."""
    missing = re.search(r"No module named '([^']+)'", log)
    # Rasa importing a config.yml name, or a student module next to the reference's
    if missing and ("class_from_module_path" in log
                    or missing.group(1).split(".")[0] in ("components", "actions")):
        return missing.group(1)
    wanted = re.search(r"Can't load class for name '([^']+)'", log)
    return wanted.group(1) if wanted and custom_component(wanted.group(1)) else None
