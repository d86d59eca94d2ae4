"""Legal parameters as dated data: load, validate and look up the YAML files in ``parameters/``.

Each parameter has a unit, a label in en/fr/nl/de, the article of law it comes from, and dated values. A value
applies from its date until the next value (or only during its calendar year when the parameter has
``period: year``, or until its ``until`` date). Every value carries a status and one or more source tags
(resolved in ``sources.yaml``):

- ``official`` / ``fund`` / ``secondary``: a published figure (who published it is the source's kind);
- ``derived``: no publication; ``legal_base × art14_index_numerator / art14_index_base`` rounded half-up to the cent
  (AR n° 38 art. 14), computed here at load time;
- a published value may say ``confidence: low`` (one weak source, with a note): used, and every explanation that
  uses it says so;
- ``estimate``: an indexed guess. The engine refuses it unless the caller passes ``allow_estimates=True``;
- ``unknown``: not published. The engine refuses to compute and raises :class:`UnknownParameter`.

Numbers in the YAML files are read as ``Decimal`` (never binary floats); amounts become integer cents.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import yaml

from caisse.errors import InvalidInput, UnknownParameter

PARAMETER_DIR = Path(__file__).parent / "parameters"
TOPICS = ("indexation", "contributions", "surcharges", "company", "benefits", "recovery")
STATUSES = ("official", "fund", "secondary", "derived", "estimate", "unknown")
PUBLISHED = ("official", "fund", "secondary")
UNITS = ("EUR", "rate", "ratio", "index", "date", "count", "days", "weeks", "months", "years")
LANGUAGES = ("en", "fr", "nl", "de")


class ParameterFileError(ValueError):
    """A parameter file breaks the rules of this module (missing source, overlapping dates, bad unit ...)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")


# --- YAML: decimals, not floats; duplicate keys are an error (two values for the same date) -----------------

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _decimal(loader, node):
    return Decimal(loader.construct_scalar(node).replace("_", ""))


def _mapping(loader, node, deep=False):
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in keys:
            raise ParameterFileError(f"line {key_node.start_mark.line + 1}", f"duplicate key {key!r}")
        keys.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


# --- model ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    tag: str
    kind: str
    title: str
    url: str | None


@dataclass(frozen=True)
class Value:
    """One dated value of a parameter. ``value`` is int cents (EUR), Fraction (rate/ratio/index), int or date."""

    name: str
    start: date
    end: date | None          # last day it applies (inclusive), None = open
    status: str
    value: object
    sources: tuple[Source, ...]
    note: str | None
    parameter: Parameter = field(repr=False, compare=False)
    confidence: str | None = None   # "low": a published figure resting on one weak source (used, and flagged)

    @property
    def label(self) -> dict[str, str]:
        return self.parameter.label

    @property
    def unit(self) -> str:
        return self.parameter.unit


@dataclass
class Parameter:
    name: str
    topic: str
    unit: str
    label: dict[str, str]
    law: str
    period: str | None                   # "year" or None
    legal_base: Decimal | None
    base_sources: tuple[Source, ...]
    values: list[Value] = field(default_factory=list)


def _source_list(where: str, raw, sources: dict[str, Source]) -> tuple[Source, ...]:
    if raw is None:
        return ()
    tags = raw if isinstance(raw, list) else [raw]
    out = []
    for tag in tags:
        if str(tag) not in sources:
            raise ParameterFileError(where, f"unknown source tag {tag!r} (declare it in sources.yaml)")
        out.append(sources[str(tag)])
    return tuple(out)


def _convert(where: str, unit: str, raw) -> object:
    if unit == "EUR":
        d = Decimal(raw)
        if d != d.quantize(Decimal("0.01")):
            raise ParameterFileError(where, f"EUR amount {raw} has more than two decimals")
        return int(d * 100)
    if unit in ("rate", "ratio", "index"):
        f = Fraction(Decimal(raw))
        if unit == "rate" and not 0 <= f <= 1:
            raise ParameterFileError(where, f"rate {raw} is not between 0 and 1")
        if f <= 0 and unit != "rate":
            raise ParameterFileError(where, f"{unit} {raw} must be positive")
        return f
    if unit == "date":
        if not isinstance(raw, date):
            raise ParameterFileError(where, f"{raw!r} is not a date")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ParameterFileError(where, f"{raw!r} is not a whole number")
    return raw


YEARS = (1900, 2100)   # the simulator's and the API's range; a year outside is a typing error, not a missing figure


def check_year(year: object, field: str = "year") -> int:
    """A contribution year as a whole number 1900-2100, else InvalidInput naming the field (``0`` is not a year)."""
    if isinstance(year, bool) or not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        raise InvalidInput(field, f"not a year: {year!r} (expected {YEARS[0]} to {YEARS[1]})")
    return year


def round_half_up_cents(amount_eur: Fraction) -> int:
    """An exact amount in euros -> integer cents, half-up."""
    cents = amount_eur * 100
    sign = -1 if cents < 0 else 1
    cents = abs(cents)
    return sign * int((cents.numerator * 2 + cents.denominator) // (2 * cents.denominator))


def load_sources() -> dict[str, Source]:
    with open(PARAMETER_DIR / "sources.yaml", encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    out = {}
    for tag, s in raw.items():
        if not isinstance(s, dict) or not s.get("title"):
            raise ParameterFileError(f"sources.yaml:{tag}", "a source needs a title")
        if not s.get("url") and not s.get("note"):
            raise ParameterFileError(f"sources.yaml:{tag}", "a source needs a url (or a note saying why there is none)")
        if s.get("kind") not in ("official", "fund", "secondary", "computed"):
            raise ParameterFileError(f"sources.yaml:{tag}", f"unknown kind {s.get('kind')!r}")
        out[str(tag)] = Source(str(tag), s["kind"], s["title"], s.get("url"))
    return out


def parse_topic(topic: str, raw: dict, sources: dict[str, Source]) -> dict[str, Parameter]:
    """Validate one topic file's content (already read from YAML) and build its parameters (derived left open)."""
    if not isinstance(raw, dict) or raw.get("topic") != topic or not isinstance(raw.get("parameters"), dict):
        raise ParameterFileError(f"{topic}.yaml", "expected `topic: <name>` and a `parameters:` mapping")
    params = {}
    for name, spec in raw["parameters"].items():
        where = f"{topic}.yaml:{name}"
        unit = spec.get("unit")
        if unit not in UNITS:
            raise ParameterFileError(where, f"unit {unit!r} is not one of {', '.join(UNITS)}")
        label = spec.get("label") or {}
        missing = [lang for lang in LANGUAGES if not label.get(lang)]
        if missing:
            raise ParameterFileError(where, f"label missing in {', '.join(missing)}")
        if not spec.get("law"):
            raise ParameterFileError(where, "the article of law (`law:`) is missing")
        base = spec.get("legal_base")
        p = Parameter(name=name, topic=topic, unit=unit, label=label, law=spec["law"], period=spec.get("period"),
                      legal_base=Decimal(base["value"]) if base else None,
                      base_sources=_source_list(where, base.get("source"), sources) if base else ())
        if base and not p.base_sources:
            raise ParameterFileError(where, "the legal base has no source")
        values = spec.get("values")
        if not isinstance(values, dict) or not values:
            raise ParameterFileError(where, "no dated values")
        starts = sorted(values)
        for start in starts:
            if not isinstance(start, date):
                raise ParameterFileError(where, f"value key {start!r} is not a date (YYYY-MM-DD)")
        for i, start in enumerate(starts):
            v = values[start]
            vwhere = f"{where}@{start}"
            status = v.get("status")
            if status not in STATUSES:
                raise ParameterFileError(vwhere, f"status {status!r} is not one of {', '.join(STATUSES)}")
            srcs = _source_list(vwhere, v.get("source"), sources)
            if status != "unknown" and not srcs:
                raise ParameterFileError(vwhere, "a value without a source")
            if status == "unknown":
                if any(k in v for k in ("value", "numerator")):
                    raise ParameterFileError(vwhere, "an unknown value must not state a number")
                if not v.get("note"):
                    raise ParameterFileError(vwhere, "say in a note what was not found")
            end = v.get("until")
            nxt = starts[i + 1] if i + 1 < len(starts) else None
            if p.period == "year":
                if start != date(start.year, 1, 1):
                    raise ParameterFileError(vwhere, "a yearly parameter starts on 1 January")
                end = end or date(start.year, 12, 31)
            if end is not None and end < start:
                raise ParameterFileError(vwhere, "ends before it starts")
            if end is not None and nxt is not None and end >= nxt:
                raise ParameterFileError(vwhere, f"overlaps the value starting {nxt}")
            if "numerator" in v:
                value = Fraction(Decimal(v["numerator"])) / Fraction(Decimal(v["denominator"]))
                if unit not in ("ratio", "index"):
                    raise ParameterFileError(vwhere, "a fraction is only allowed for a ratio or an index")
            elif "value" in v:
                value = _convert(vwhere, unit, v["value"])
            elif status == "derived":
                if p.legal_base is None:
                    raise ParameterFileError(vwhere, "derived without a value needs a legal_base")
                value = None  # computed once the index numerators are known
            elif status == "unknown":
                value = None
            else:
                raise ParameterFileError(vwhere, "no value")
            confidence = v.get("confidence")
            if confidence not in (None, "low"):
                raise ParameterFileError(vwhere, f"confidence {confidence!r}: only `low` can be stated")
            if confidence and (status not in PUBLISHED or not v.get("note")):
                raise ParameterFileError(vwhere, "low confidence is for a published figure, with a note saying why")
            p.values.append(Value(name, start, end, status, value, srcs, v.get("note"), p, confidence))
        params[name] = p
    return params


def derive(p: Parameter, year: int, numerators: Parameter, index_base: Fraction) -> int:
    """AR n° 38 art. 14: legal base × numerator(year) / 142.75, half-up to the cent."""
    num = next((v for v in numerators.values if v.start.year == year and v.value is not None), None)
    if num is None:
        raise ParameterFileError(f"{p.topic}.yaml:{p.name}@{year}", "no index numerator for that year")
    return round_half_up_cents(Fraction(p.legal_base) * num.value / index_base)


class Parameters:
    """All parameters, looked up by name and date. Raises UnknownParameter rather than guessing."""

    def __init__(self, params: dict[str, Parameter], sources: dict[str, Source]):
        self.params = params
        self.sources = sources

    def __contains__(self, name: str) -> bool:
        return name in self.params

    def parameter(self, name: str) -> Parameter:
        return self.params[name]

    def get(self, name: str, on: date, *, allow_estimates: bool = False) -> Value:
        p = self.params[name]
        found = None
        for v in p.values:
            if v.start <= on:
                found = v
        label = p.label["en"]
        if found is None or (found.end is not None and on > found.end):
            when = on.year if p.period == "year" else on.isoformat()
            raise UnknownParameter(f"{label} ({name}) for {when}: no value in the parameter files "
                                   "(not published yet or not recorded)")
        when = on.year if p.period == "year" else on.isoformat()
        if found.status == "unknown":
            raise UnknownParameter(f"{label} ({name}) for {when} is not published (status unknown"
                                   f"{': ' + found.note if found.note else ''}); the fund will not guess it")
        if found.status == "estimate" and not allow_estimates:
            raise UnknownParameter(f"{label} ({name}) for {when} exists only as an ESTIMATE, not a publication; "
                                   "refused unless estimates are explicitly allowed "
                                   "(allow_estimates / --allow-estimates)")
        return found

    def year(self, name: str, year: int, *, allow_estimates: bool = False) -> Value:
        return self.get(name, date(year, 1, 1), allow_estimates=allow_estimates)


def build(raw_topics: dict[str, dict], sources: dict[str, Source]) -> Parameters:
    params: dict[str, Parameter] = {}
    for topic, raw in raw_topics.items():
        for name, p in parse_topic(topic, raw, sources).items():
            if name in params:
                raise ParameterFileError(f"{topic}.yaml:{name}", f"also defined in {params[name].topic}.yaml")
            params[name] = p
    numerators = params.get("art14_index_numerator")
    index_base = params.get("art14_index_base")
    for p in params.values():
        for i, v in enumerate(p.values):
            if v.status == "derived" and v.value is None:
                if numerators is None or index_base is None:
                    raise ParameterFileError(f"{p.topic}.yaml:{p.name}", "derived values need indexation.yaml")
                cents = derive(p, v.start.year, numerators, index_base.values[0].value)
                num_sources = next(n.sources for n in numerators.values if n.start.year == v.start.year)
                p.values[i] = Value(v.name, v.start, v.end, v.status, cents,
                                    tuple(dict.fromkeys(p.base_sources + v.sources + num_sources)),
                                    v.note or "legal base × art. 14 index fraction", p, v.confidence)
    return Parameters(params, sources)


def read_topic(topic: str) -> dict:
    with open(PARAMETER_DIR / f"{topic}.yaml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


@functools.lru_cache(maxsize=1)
def load() -> Parameters:
    """The fund's parameters (read once per process)."""
    return build({t: read_topic(t) for t in TOPICS}, load_sources())


def published_vs_derived(params: Parameters) -> list[tuple[str, int, int, int]]:
    """For each published value of an indexed parameter: (name, year, published cents, recomputed cents)."""
    out = []
    numerators = params.parameter("art14_index_numerator")
    base = params.parameter("art14_index_base").values[0].value
    for p in params.params.values():
        if p.legal_base is None:
            continue
        for v in p.values:
            if v.status in PUBLISHED and v.value is not None:
                out.append((p.name, v.start.year, v.value, derive(p, v.start.year, numerators, base)))
    return out
