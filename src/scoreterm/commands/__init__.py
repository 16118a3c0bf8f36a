"""Command bodies, imported lazily by the CLI so that --help stays fast."""
