"""Small JSON files a component keeps in the trained model."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Text

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save_json(model_storage: ModelStorage, resource: Resource, name: Text, data: Any) -> None:
    with model_storage.write_to(resource) as directory:
        (Path(directory) / name).write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def load_json(model_storage: ModelStorage, resource: Resource, name: Text, default: Any) -> Any:
    """The stored data, or `default` when the model has none (e.g. never trained)."""
    try:
        with model_storage.read_from(resource) as directory:
            return json.loads((Path(directory) / name).read_text("utf-8"))
    except (ValueError, FileNotFoundError):
        return default


def fingerprint(data: Any) -> Text:
    """A fingerprint_addon for data a component reads from shop/ rather than from the
    training data: when the shop's files change, Rasa's cache retrains the component."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
