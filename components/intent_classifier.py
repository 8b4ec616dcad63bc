"""Rasa's LogisticRegressionClassifier, stored as plain arrays instead of skops.

Rasa persists the scikit-learn model with skops, whose import walks every loaded
module to list trusted types: with TensorFlow loaded that costs about 8 s at the end
of every training and at every model load (measured with cProfile on this machine;
see bench/bot_speed.py). The fitted model is only three arrays, so they are saved
with numpy (allow_pickle=False: loading cannot run code) and put back on a fresh
LogisticRegression. Predictions are identical.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

ARRAYS_FILE = "logistic_regression.npz"
logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class ShopIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: inverse regularisation strength, exposed because Rasa fixes it at 1.0.
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / ARRAYS_FILE, coef=self.clf.coef_,
                     intercept=self.clf.intercept_,
                     classes=np.array(self.clf.classes_, dtype=str))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> ShopIntentClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
                    component.clf.coef_ = arrays["coef"]
                    component.clf.intercept_ = arrays["intercept"]
                    component.clf.classes_ = arrays["classes"]
            component.clf.n_features_in_ = component.clf.coef_.shape[1]
        except (ValueError, FileNotFoundError):
            logger.debug("No trained intent classifier in the model; using an untrained one.")
        return component
