"""Sentences the fund writes for a person outside the templates (an advice, a refusal): an English template with
named values, translated where it is shown.

``T_("the contribution of {quarter} is paid", quarter=q)`` is a ``Text``; ``str()`` gives the English (the command
line, the logs, the API); the pages call ``render(text, gettext)`` (``caisse.web.i18n.say``), which looks the
template up in the web catalogues (``src/caisse/web/translations/*.po``, where the template is the message id) and
then fills in the values. ``pybabel extract`` finds the templates through the ``T_`` keyword (babel.cfg); a value
may itself be a ``Text`` (or a list of them), translated the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    template: str
    params: dict = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return render(self, lambda s: s)


def T_(template: str, **params) -> Text:  # noqa: N802 - the gettext convention, a keyword for pybabel extract
    return Text(template, params)


def render(value: object, translate: Callable[[str], str]) -> str:
    """The text in the language of ``translate`` (a gettext); values that are ``Text`` are translated too, lists of
    them joined with "; "."""
    if isinstance(value, Text):
        text = translate(value.template)  # without values: as is (a message built with an f-string may hold braces)
        return text.format(**{k: render(v, translate) for k, v in value.params.items()}) if value.params else text
    if isinstance(value, list | tuple):
        return "; ".join(render(v, translate) for v in value)
    return str(value)


__all__ = ["T_", "Text", "render"]
