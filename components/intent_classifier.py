"""Rasa's LogisticRegressionClassifier, stored as plain arrays, with a category level.

Storage: Rasa persists the scikit-learn model with skops, whose import walks every loaded
module to list trusted types: with TensorFlow loaded, about 8 s at the end of every training
and at every model load (cProfile on this machine; bench/bot_speed.py). The fitted models
are only arrays, so numpy saves them (allow_pickle=False: loading cannot run code).

Category level: a second, class-balanced logistic regression on the same features predicts
the topic category of shop/intents.yml (return, logistics, quality…). A category has
hundreds of examples where an intent has dozens, and on real shoppers' messages that model
decides the category better than summing intent probabilities (bench/real_shoppers.py).
An intent's probability becomes P(category) × P(intent) / Σ P(intents of that category),
so the ranking stays a distribution and the best intent is chosen inside the best
category. Every message also gets `category_ranking`, which CategoryFallback reads.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy import sparse
from scipy.special import softmax
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from components import shop_facts
from components.model_files import fingerprint

ARRAYS_FILE = "logistic_regression.npz"
# Intents shop/intents.yml does not list are ranked as this category.
UNLISTED = "other"
logger = logging.getLogger(__name__)


def _fitted(arrays: Any, prefix: Text, template: LogisticRegression) -> Optional[LogisticRegression]:
    """A copy of `template` (same settings) holding the stored fit, or None."""
    if prefix + "coef" not in arrays:
        return None
    model = clone(template)
    # Fortran order, so that scikit-learn's X @ coef_.T needs no copy: scipy copies a
    # transposed C-order matrix (26,000 × 64 floats) on every call, 1.7 ms against
    # 0.06 ms per prediction, two predictions per message.
    model.coef_ = np.asfortranarray(arrays[prefix + "coef"])
    model.intercept_ = arrays[prefix + "intercept"]
    model.classes_ = arrays[prefix + "classes"]
    model.n_features_in_ = model.coef_.shape[1]
    return model


def _sentence_features(messages: List[Message]) -> Optional[sparse.csr_matrix]:
    """Rasa's _create_X matrix built with one stack per featurizer, or None.

    Rasa stacks each message's features apart, combining the unused sequence features too:
    7.4 s of CPU for the reference's 9,742 examples against 0.3 s this way (equal matrices:
    tests/test_intent_classifier.py). Only for sparse features every message has in the
    same shapes; anything else (a dense featurizer) goes Rasa's way.
    """
    blocks = [[f.features for f in m.features
               if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE] for m in messages]
    if not blocks or not blocks[0]:
        return None
    widths = [b.shape[1] for b in blocks[0]]
    if any(not sparse.issparse(b) or b.shape[0] != 1 for row in blocks for b in row) or any(
            [b.shape[1] for b in row] != widths for row in blocks):
        return None
    return sparse.hstack([_stacked([row[i] for row in blocks]) for i in range(len(widths))], format="csr")


def _stacked(rows: List[Any]) -> sparse.coo_matrix:
    """One-row matrices stacked into one: scipy's vstack converts each of them (0.9 s
    under cProfile for the reference's 9,742 examples and a bank of 751 questions),
    this concatenates their arrays."""
    rows = [r.tocoo() for r in rows]
    return sparse.coo_matrix(
        (np.concatenate([r.data for r in rows]),
         (np.repeat(np.arange(len(rows)), [r.nnz for r in rows]), np.concatenate([r.col for r in rows]))),
        shape=(len(rows), rows[0].shape[1]))


def _arrays(model: LogisticRegression, prefix: Text) -> Dict[Text, np.ndarray]:
    return {prefix + "coef": model.coef_, prefix + "intercept": model.intercept_,
            prefix + "classes": np.array(model.classes_, dtype=str)}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ShopIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: inverse regularisation strength, exposed because Rasa fixes it at 1.0.
        # category_model: decide the category with its own model (see the module doc).
        # binary: count features (word and character n-grams) as present/absent.
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0,
                "category_model": True, "binary": False}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])
        self.category_clf: Optional[LogisticRegression] = None
        self.intent_category: Dict[Text, Text] = {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """Categories come from shop/intents.yml, not the training data: a change retrains."""
        return fingerprint(shop_facts.intent_categories())

    def _create_X(self, messages: List[Message]) -> Any:
        X = _sentence_features(messages)
        if X is None:
            X = super()._create_X(messages)
        if self.config["binary"]:
            # Rasa puts each message's sparse features (the counts) before its dense ones.
            sparse_width = next((f.features.shape[1] for f in
                                 (m.get_sparse_features(attribute=TEXT)[1] for m in messages) if f), 0)
            X = X.tocsr()
            counts = X.indices < sparse_width
            X.data[counts] = X.data[counts] > 0
        return X

    def train(self, training_data: TrainingData) -> Resource:
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            return self._resource
        self.clf.fit(X, y)
        listed = shop_facts.intent_categories()
        self.intent_category = {i: listed.get(i, UNLISTED) for i in self.clf.classes_}
        y_category = [self.intent_category[i] for i in y]
        if self.config["category_model"] and len(set(y_category)) > 1:
            self.category_clf = clone(self.clf).fit(X, y_category)
        self.persist()
        return self._resource

    def _probabilities(self, X: Any) -> np.ndarray:
        """P(intent) per message, through the category model when there is one."""
        intents = self.clf.predict_proba(X)
        if self.category_clf is None:
            return intents
        categories = self.category_clf.predict_proba(X)
        combined = np.zeros_like(intents)
        scores = None
        for c, category in enumerate(self.category_clf.classes_):
            members = [i for i, name in enumerate(self.clf.classes_)
                       if self.intent_category.get(name) == category]
            share = intents[:, members]
            total = share.sum(axis=1, keepdims=True)
            if not total.all():
                # On extreme input (500 characters of one phrase repeated) every intent
                # of a category can underflow to exactly 0, and 0/0 made the confidence
                # NaN: their scores still rank them, as softmax does without underflow.
                scores = self.clf.decision_function(X) if scores is None else scores
                share = np.where(total > 0, share, softmax(scores[:, members], axis=1))
                total = share.sum(axis=1, keepdims=True)
            combined[:, members] = categories[:, [c]] * share / total
        return combined

    def process(self, messages: List[Message]) -> List[Message]:
        probabilities = self._probabilities(self._create_X(messages))
        names = list(self.clf.classes_)
        for message, row in zip(messages, probabilities):
            ranking = sorted(({"name": n, "confidence": float(p)} for n, p in zip(names, row)),
                             key=lambda e: -e["confidence"])
            totals: Dict[Text, float] = {}
            for entry in ranking:
                category = self.intent_category.get(entry["name"], UNLISTED)
                totals[category] = totals.get(category, 0.0) + entry["confidence"]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]] or ranking,
                        add_to_output=True)
            categories = sorted(totals.items(), key=lambda item: -item[1])
            message.set("category_ranking", [{"name": c, "confidence": p} for c, p in categories],
                        add_to_output=True)
        return messages

    def persist(self) -> None:
        arrays = _arrays(self.clf, "")
        if self.category_clf is not None:
            arrays.update(_arrays(self.category_clf, "category_"))
        names = sorted(self.intent_category)
        arrays["intent_names"] = np.array(names, dtype=str)
        arrays["intent_categories"] = np.array([self.intent_category[n] for n in names], dtype=str)
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / ARRAYS_FILE, **arrays)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> ShopIntentClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
                    component.clf = _fitted(arrays, "", component.clf) or component.clf
                    component.category_clf = _fitted(arrays, "category_", component.clf)
                    if "intent_names" in arrays:
                        component.intent_category = dict(zip(
                            arrays["intent_names"].tolist(), arrays["intent_categories"].tolist()))
        except (ValueError, FileNotFoundError):
            logger.debug("No trained intent classifier in the model; using an untrained one.")
        return component
