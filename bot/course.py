"""What the course asks of a student's project: one place for each number.

`check`, `grade` (bank/rubric.yml's default), `new` (the workspace README) and
`diagnose` (its advice) read these; data/README.md states the same 12 to students.
"""

# Similar questions (相似问法) per intent that the course requires.
MIN_EXAMPLES = 12
# Below this many, `check` reports an error instead of a warning: the classifier
# basically cannot learn the intent.
MIN_EXAMPLES_ERROR = 5
