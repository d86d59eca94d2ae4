"""Benefit claims: application → checks → motivated decision (with the exact rule versions) → payment → closure."""
