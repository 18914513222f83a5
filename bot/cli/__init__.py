"""The command line: `faktabot …` (and `python -m bot`). The top layer; see docs/ARCHITECTURE.md."""
