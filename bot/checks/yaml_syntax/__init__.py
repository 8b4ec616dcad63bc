"""Check 1: the YAML mistakes students really make, each located at its line.

Two passes over every file:

1. `linter.lint_lines` reads the file line by line (it works even when YAML cannot parse
   it): full-width colon/space or a tab used as YAML syntax, `key:value` without a space,
   misspelt keys (`intnet:`), `examples:` without `|`, example lines without `- `,
   over/under-indented examples. Mechanical mistakes come with an `Edit` for `--fix`.
2. `parse.check_file` parses with PyYAML; when that fails, `explain` translates PyYAML's
   problem and mark into Chinese, and the message is attached to the line mistake that
   most likely caused it (the parser often notices a line or two later).

A full-width colon or space is only "syntax" where YAML needs ASCII: after a key at the
start of a line, in the indentation, after the `-` of a list item. Inside example text
and answer text it is ordinary Chinese punctuation and is never reported or touched."""
