"""Never give the same answer a third time in a row, and never loop inside a turn.

店小蜜 sellers are penalised when the bot loops. When the customer asks the same thing for the
third time and the bot's first reply to the previous two asks was the same, this policy
predicts the hand-off action instead (priority above RulePolicy: it wins the tie at 1.0).

A turn-ending action (the hand-off, the "didn't understand" answer) is always followed by
listening: else a hand-off this policy chose matches no rule, RulePolicy's core fallback
answers again and again up to Rasa's limit of 10 actions since the last listen, and no
later message of the conversation got a reply. Otherwise the policy abstains.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

Turn = Tuple[Optional[Text], Optional[Text]]  # (intent, first bot action after it)


def user_turns(tracker: DialogueStateTracker) -> List[Turn]:
    """The intent of each user message and the first action the bot ran after it."""
    turns: List[Turn] = []
    for event in tracker.applied_events():
        if isinstance(event, UserUttered):
            turns.append((event.intent_name, None))
        elif (isinstance(event, ActionExecuted) and turns and turns[-1][1] is None
              and event.action_name != ACTION_LISTEN_NAME):
            turns[-1] = (turns[-1][0], event.action_name)
    return turns


def is_third_repeat(turns: List[Turn], handoff_action: Text) -> bool:
    """The current ask repeats the two before it, which both got the same answer."""
    if len(turns) < 3:
        return False
    (i1, a1), (i2, a2), (current, _) = turns[-3:]
    return i1 == i2 == current and a1 is not None and a1 == a2 and a1 != handoff_action


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT,
                          is_trainable=False)
class AntiLoopPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "priority": 7,
            "handoff_action": "action_handoff",
            # After these the bot has answered: the next thing is always to listen.
            "turn_ending_actions": ["action_handoff", "action_unrecognised"],
            # Short acknowledgements may repeat without anything going wrong.
            "ignore_intents": ["affirm", "deny", "thanks", "goodbye", "greet", "inform"],
        }

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain,
              **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        handoff = self.config["handoff_action"]
        if tracker.latest_action_name in self.config["turn_ending_actions"]:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        elif (tracker.latest_action_name == ACTION_LISTEN_NAME
              and handoff in domain.action_names_or_texts
              and tracker.latest_message.intent.get("name") not in self.config["ignore_intents"]
              and is_third_repeat(user_turns(tracker), handoff)):
            probabilities[domain.index_for_action(handoff)] = 1.0
        return self._prediction(probabilities)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> AntiLoopPolicy:
        return cls(config, model_storage, resource, execution_context)
