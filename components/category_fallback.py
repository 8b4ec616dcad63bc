"""类别兜底: answer a not-understood message by its category when the category is clear.

店小蜜 answers a question it cannot match to a known one with the answer of its category
(类目兜底) when it can tell the category. Here: when FallbackClassifier has replaced the
intent by nlu_fallback and one category of shop/intents.yml holds at least `threshold` of
the probability (ShopIntentClassifier's `category_ranking`), the intent becomes that
category's `fallback_intent` (e.g. fallback_quality: apologise, ask for photos and the
order number) instead of "没听懂". The intent keeps a `category_fallback` key (MARK), so
the grader and diagnose can report these answers apart. Runs after FallbackClassifier.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from components import shop_facts
from components.model_files import ShopDataComponent

NLU_FALLBACK = "nlu_fallback"
CATEGORY_RANKING = "category_ranking"
MARK = "category_fallback"  # value: the category


def category_answer(category_ranking: List[Dict[Text, Any]], fallback_intents: Dict[Text, Text],
                    threshold: float) -> Optional[Dict[Text, Any]]:
    """The fallback intent of the clearly most likely category, or None."""
    if not category_ranking:
        return None
    best = max(category_ranking, key=lambda e: e.get("confidence") or 0.0)
    intent = fallback_intents.get(best.get("name"))
    confidence = float(best.get("confidence") or 0.0)
    if intent is None or confidence < threshold:
        return None
    return {"name": intent, "confidence": confidence, MARK: best["name"]}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CategoryFallback(ShopDataComponent, IntentClassifier):
    """`self.data`: category -> its fallback intent."""

    DATA_FILE = "category_fallback_intents.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # threshold: config.yml sets the value chosen with bench/real_shoppers.py --grid.
        return {"threshold": 0.6}

    @staticmethod
    def shop_data() -> Dict[Text, Text]:
        return shop_facts.category_fallback_intents()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get("name") != NLU_FALLBACK:
                continue
            answer = category_answer(message.get(CATEGORY_RANKING), self.data,
                                     self._config["threshold"])
            if answer is not None:
                message.set(INTENT, answer, add_to_output=True)
                ranking = [answer] + list(message.get(INTENT_RANKING_KEY) or [])
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
