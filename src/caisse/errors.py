"""Errors a user can read: each names the field it is about."""

from __future__ import annotations

from dataclasses import dataclass

from caisse.texts import Text


class CaisseError(Exception):
    """Base of every error the fund reports to a user (CLI: one line, exit != 0; API: 4xx)."""


class FieldError(CaisseError):
    """A refusal about one field: ``field`` names where, ``message`` says why (in English). The message may be a
    template with named values (``InvalidInput("quarters", "{quarter} is named twice", quarter=q)``) or a
    ``caisse.texts.Text``: the pages show it translated (``caisse.web.i18n.say``)."""

    def __init__(self, field: str, message: str | Text, **params):
        self.field = field
        self.text = message if isinstance(message, Text) else Text(message, params)
        self.message = str(self.text) if params or isinstance(message, Text) else message
        super().__init__(f"{field}: {self.message}")


class InvalidInput(FieldError):
    """Bad input: ``field`` names where (e.g. ``niss`` or ``rows[3].income``), ``message`` says why."""


class NotFound(CaisseError):
    def __init__(self, what: str, key: object):
        self.what = what
        self.key = key
        super().__init__(f"{what} {key} not found")


class Conflict(FieldError):
    """The request contradicts what the fund already knows (duplicate, overlap, wrong state)."""


class UnknownParameter(CaisseError):
    """A legal figure needed for a computation has not been published (status NOT_FOUND)."""


@dataclass
class RejectedLine:
    """A line of a file received that was refused and kept (the file's other lines are imported): its number, the
    field at fault and why — printed ``line 3: paid: …``."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"
