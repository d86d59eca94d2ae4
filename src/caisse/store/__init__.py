"""Persistence: SQLAlchemy 2 models and Alembic migrations; the same code on SQLite and PostgreSQL."""
