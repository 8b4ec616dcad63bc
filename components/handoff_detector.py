"""Sends messages with 人工介入词 or angry words to the hand-off intent.

Like 店小蜜's 人工介入词 setting: whatever the classifier thought, a message that contains
a hand-off keyword (投诉, 差评, 12315 ...) or an angry word (shop/policy.yml) is routed to
the `complain` intent with full confidence. Runs after the classifiers and the fallback.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components import shop_facts
from components.model_files import ShopDataComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class HandoffKeywordDetector(ShopDataComponent, IntentClassifier):
    """`self.data`: the hand-off keywords and angry words."""

    DATA_FILE = "handoff_words.json"
    DATA_TYPE = list

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "complain"}

    @staticmethod
    def shop_data() -> List[Text]:
        return shop_facts.policy_words("handoff_keywords") + shop_facts.policy_words("angry_words")

    def train(self, training_data: TrainingData) -> Resource:
        # A project without the hand-off intent keeps its classifier's answer.
        if self._config["intent"] not in training_data.intents:
            self.data = []
        return super().train(training_data)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if any(word in text for word in self.data):
                target = {"name": self._config["intent"], "confidence": 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                           if r["name"] != target["name"]]
                message.set(INTENT, target, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [target] + ranking, add_to_output=True)
        return messages
