"""The scenario: its schema, reading it from YAML (``extends:`` and overrides), its checks, the
problems found in a file, a summary of what it holds and the generated reference."""
