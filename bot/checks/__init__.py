"""`python -m bot check`: read a project's training data and say, in Chinese, what is wrong.

One module per kind of check, each a function `check(model) -> List[Finding]`:

- encoding      1. files saved as GBK ("ANSI"), UTF-16 or UTF-8 with a BOM (`--fix` converts)
- yaml_syntax   1. YAML mistakes (full-width colon/space, tabs, indentation, misspelt keys,
                   missing `- ` or `|`), parse errors translated; the edits `--fix` applies
- structure     2. intents, answers, rules/stories and categories fit together
- examples      3. enough examples, no duplicates, no near-duplicates
- answers       4. answers follow the course's service rules
- catalog       5. shop/catalog.yml has what the product Q&A needs
- components    5b. config.yml names only Rasa's and the reference's components
- rasa_validate 6. `rasa data validate` in a subprocess, translated

Before any of them, `files` decides which files can be read at all (missing, folders,
links, far too big) and `file_format` finds what parses but Rasa will not read as
written (YAML tags, the format version).

`model` reads the files once (source.py keeps every value's line), `runner` runs all
checks, `render` writes the report, `fixer` applies the safe edits with a backup.
"""
from bot.checks.findings import ERROR, WARNING, Edit, Finding
from bot.checks.runner import Report, run_checks

__all__ = ["ERROR", "WARNING", "Edit", "Finding", "Report", "run_checks"]
