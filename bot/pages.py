"""HTML pages (grade's report.html and index.html, diagnose's --html) and the workspace
README.md from the Jinja2 templates in bot/templates/.

Autoescape is on for every HTML template: a student's intent name or example such as
`<img src=x onerror=...>` is shown as text, never run. The templates are package data
(pyproject.toml), found through the package, so an installed `bot` works from any folder.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    # Markdown (the workspace README) is not HTML: shown as written, never escaped.
    autoescape = jinja2.select_autoescape(disabled_extensions=("md",), default_for_string=True, default=True)
    return jinja2.Environment(loader=jinja2.PackageLoader("bot", "templates"), autoescape=autoescape,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
