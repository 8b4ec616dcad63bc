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
and answer text it is ordinary Chinese punctuation and is never reported or touched.

Modules:

- keys      which keys each kind of file may have, and which key a misspelling means
- text      the characters and patterns a YAML line is read with
- linter    the line pass: walks the lines, keeps the context, collects the fixed text
- keylines  one `key: value` line (colons, spaces, misspelt keys, what follows the colon)
- blocks    the lines of an `examples: |` block
- indent    tab / full-width-space indentation: what it was meant to be, one finding per file
- explain   PyYAML's errors in Chinese, and the line most likely at fault
- parse     both passes over one file: the parsed tree and every finding
"""
