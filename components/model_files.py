"""Small JSON files a component keeps in the trained model."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData


def fingerprint(data: Any) -> Text:
    """A fingerprint_addon for data a component reads from shop/ rather than from the
    training data: when the shop's files change, Rasa's cache retrains the component."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StoredShopData:
    """create, load and train of a component whose trained state is data from shop/.

    A new component reads it from the shop's files (static `shop_data()`), training stores
    `stored_data()` in the model as DATA_FILE, and a loaded component reads that back (an
    empty DATA_TYPE when the model has none). The data is in the fingerprint, so Rasa's cache
    retrains the component when the shop's files change. The constructor takes the data after
    Rasa's config, model storage and resource. List this mixin before the Rasa base classes,
    so that its methods are the ones Rasa calls.
    """

    DATA_FILE: Text
    DATA_TYPE: type = dict  # or list: called for a fresh empty value on every load

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        return fingerprint(cls.shop_data())

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> StoredShopData:
        return cls(config, model_storage, resource, cls.shop_data())

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> StoredShopData:
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((Path(directory) / cls.DATA_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            data = cls.DATA_TYPE()  # the model has none (e.g. never trained)
        return cls(config, model_storage, resource, data)

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / self.DATA_FILE).write_text(json.dumps(self.stored_data(), ensure_ascii=False), "utf-8")
        return self._resource


class ShopDataComponent(StoredShopData, GraphComponent):
    """A plain graph component whose whole trained state is its shop data, `self.data`."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 data: Any) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage, self._resource, self.data = model_storage, resource, data

    def stored_data(self) -> Any:
        return self.data
