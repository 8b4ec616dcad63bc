"""One module per CLI command: NAME, HELP, add_arguments(parser) and run(args) -> exit code."""
