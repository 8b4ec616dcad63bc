"""Every change this project makes to Rasa 3.6's own code, in this package, with its reason:
tensorflow.py keeps TensorFlow out of a chat, conversations.py and training.py patch what
Rasa runs while it chats and while it trains; for_conversations and for_grading below say
which process applies which.

Each patch is idempotent and checked by tests/test_rasa_patches.py, which fails when the
Rasa code a patch replaces or relies on changes (a Rasa upgrade must revisit it).

Order matters twice: `without_tensorflow` must run before Rasa is imported (the chat shell
runs it before it loads the model); `trust_reference_actions` wraps the check that
`check_action_results_once` installs and falls back to it, so it runs after that one (the
grader calls it per project, after `for_grading`).

Not a patch: Rasa writes LOG_LEVEL into os.environ when a process loads a model
(set_log_level); a subprocess that needs Rasa's warnings sets it again through
processes.python_environment (checks/rasa_validate.py).
"""
from __future__ import annotations

from bot.rasa_patches.conversations import (check_action_results_once, copy_slots_by_their_attributes,
                                            resolve_event_types_once, run_graphs_by_walking_them,
                                            trust_reference_actions)
from bot.rasa_patches.tensorflow import (TENSORFLOW_MODULES, model_classes, needs_tensorflow,
                                         without_tensorflow)
from bot.rasa_patches.training import (check_schemas_on_the_fast_reading, count_messages_together,
                                       merge_training_data_without_deep_copies, read_nlu_data_once,
                                       skip_training_cache)


def for_conversations() -> None:
    """The patches of every process that loads a model and chats (shell, serve, grader)."""
    check_action_results_once()
    resolve_event_types_once()


def for_grading() -> None:
    """The grading worker's patches (it trusts the reference actions per project)."""
    for_conversations()
    skip_training_cache()
    read_nlu_data_once()
    merge_training_data_without_deep_copies()
    count_messages_together()
    run_graphs_by_walking_them()
    copy_slots_by_their_attributes()
    check_schemas_on_the_fast_reading()
