"""What a check reports: a Finding (one mistake, where it is and how to fix it) and an Edit
(a safe mechanical change `--fix` may apply)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, Dict, List, Optional, Tuple

ERROR = "error"
WARNING = "warning"

SEVERITY_WORDS = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Edit:
    """Replace one whole line of a file (line numbers never change)."""

    file: str          # path relative to the project root, posix style
    line: int          # 1-based
    before: str        # the line as it is (without its line ending)
    after: str         # the line as `--fix` writes it


@dataclass
class Finding:
    severity: str                    # ERROR or WARNING
    code: str                        # stable id, e.g. "yaml.fullwidth_colon" (tests, JSON)
    file: Optional[str]              # relative posix path; None = the whole project
    line: Optional[int]              # 1-based; None = the whole file
    message: str                     # Chinese: what is wrong
    fix: str = ""                    # Chinese: what to do
    column: Optional[int] = None     # 1-based, when known (YAML parse errors)
    also: List[Tuple[str, int]] = field(default_factory=list)  # related places
    original: str = ""               # untranslated source text (Rasa's own words)
    edits: List[Edit] = field(default_factory=list)            # what --fix would change
    key: Optional[Tuple[str, ...]] = None  # identity used to merge Rasa's duplicates

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def where(self) -> str:
        if self.file is None:
            return "（整个项目）"
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def to_json(self) -> Dict[str, Any]:
        data = asdict(self)
        data.pop("key")
        data["also"] = [{"file": f, "line": n} for f, n in self.also]
        return data


# error(code, file, line, message, fix="", **extra): a Finding of that severity
error = partial(Finding, ERROR)
warning = partial(Finding, WARNING)
