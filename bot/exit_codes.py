"""Exit codes shared by all commands (documented in README)."""
EXIT_OK = 0            # done
EXIT_FAILED = 1        # the work ran and failed (training error, below --fail-under, check errors)
EXIT_USAGE = 2         # wrong arguments, missing project or configuration error
EXIT_NO_QUESTIONS = 3  # a question bank is empty or unreadable: never reported as a pass
