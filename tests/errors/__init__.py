"""The error table of README ("The HTTP API", "Errors"), row by row, one subject a module."""
