"""Use cases that staff and affiliates perform; the web and the CLI call these, never the store directly."""
