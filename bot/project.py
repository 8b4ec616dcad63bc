"""A Rasa project on disk (the reference bot or a student's copy) and its files."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Tuple

# The reference project: this repository. Its actions and components serve every
# project (students edit data, not Python).
REFERENCE_ROOT = Path(__file__).resolve().parent.parent
# The grader's cache of trained models, named by the training inputs' fingerprint.
GRADING_MODEL_STORE = REFERENCE_ROOT / ".rasa" / "grading" / "models"

# Every file in shop/ that components/shop_facts.py reads: the components train on
# them, so a change to any of them must give a new model (tests/test_shop_data_retraining.py
# checks that the two lists agree). Not imported from `components`: the grading worker
# puts a student's code first on sys.path after its own imports, and importing the
# package here would tie `components` to the reference's copy for good.
SHOP_TRAINING_FILES = ("catalog.yml", "policy.yml", "terms.txt", "product_kinds.txt",
                       "fault_words.txt", "intents.yml")
# Inputs that change what `rasa train` produces.
TRAINING_GLOBS = ["config.yml", "domain.yml", "data/**/*.yml", "data/**/*.yaml",
                  *(f"shop/{name}" for name in SHOP_TRAINING_FILES)]


def hash_files(digest: "hashlib._Hash", files: Iterable[Tuple[bytes, Path]]) -> None:
    """Adds (name, path) files to `digest` in the order of their names. The name is
    bytes, so any file name counts, even one that is not UTF-8. Name and content each go
    in after their length, so no other set of files gives the same bytes (without it,
    file "a" holding "bc" and file "ab" holding "c" would hash alike)."""
    for name, path in sorted(files):
        digest.update(len(name).to_bytes(4, "big") + name)
        data = path.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)


def _under_root(name: str) -> property:
    return property(lambda self: self.root / name)


@dataclass(frozen=True)
class Project:
    root: Path

    domain = _under_root("domain.yml")
    config = _under_root("config.yml")
    data = _under_root("data")
    shop = _under_root("shop")
    models = _under_root("models")

    @classmethod
    def at(cls, path: Path) -> "Project":
        return cls(Path(path).resolve())

    @property
    def var(self) -> Path:
        path = self.root / "var"
        path.mkdir(parents=True, exist_ok=True)
        return path

    shop_db = property(lambda self: self.var / "shop.db")
    conversations_db = property(lambda self: self.var / "conversations.db")

    def training_files(self) -> List[Path]:
        files = {p for pattern in TRAINING_GLOBS for p in self.root.glob(pattern) if p.is_file()}
        # The components' code shapes the model too.
        files |= set((REFERENCE_ROOT / "components").glob("*.py"))
        return sorted(files)

    def fingerprint(self) -> str:
        """Changes when any training input changes; the same for a copied project.

        Files are hashed in the order of their names relative to the project (or to the
        reference, for its components): in the order of absolute paths, a copy outside
        the reference's folder would put the components elsewhere and hash differently.
        """
        digest = hashlib.sha256()
        entries = []
        for path in self.training_files():
            base = self.root if self.root in path.parents else REFERENCE_ROOT
            entries.append((os.fsencode(path.relative_to(base).as_posix()), path))
        hash_files(digest, entries)
        return digest.hexdigest()[:16]

    def model_path(self) -> Path:
        return self.models / f"{self.fingerprint()}.tar.gz"

    def missing_files(self) -> List[str]:
        return [str(p.relative_to(self.root)) for p in (self.domain, self.config, self.data)
                if not p.exists()]
