"""Tooling around the shop bot: the CLI, training, the chat shell, checks and grading."""
