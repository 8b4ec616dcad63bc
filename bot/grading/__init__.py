"""The grading harness: `python -m bot grade` over one student project or a class.

- bank.py       question banks (CSV in UTF-8/GBK or YAML) -> Question, with bad rows reported
- scenarios.py  multi-turn after-sales scenarios (bank/scenarios/*.yml) and their checks
- rubric.py     bank/rubric.yml: the weights of the score and the answer rules
                (bot/answer_rules.py, shared with `check`)
- static.py     what is read from a project without running it: training examples,
                hygiene, answer quality, leakage (run by the worker, under its limits)
- scoring.py    pure functions: each answer's verdict, the metrics, the score
- projects.py   finding the projects of a class (folders and .zip files, unzipped safely;
                links out of a submission and oversized data files refused)
- worker.py     the long-lived process that trains and questions projects (Rasa lives here)
- pool.py       the parent's side of the workers: jobs, time limits, progress
- report.py     report.json, the source of truth: assembled, redacted for the student view
- wording.py    the sentences and figures every rendering shares (findings, a class row)
- markdown.py, html.py, classcsv.py, terminal.py   one rendering of report.json each
                (html.py through bot/templates/); output.py says which file gets which
- session.py    one grading run from arguments to exit code

Rasa is imported only by worker.py: the parent stays light and never runs student code.
"""
