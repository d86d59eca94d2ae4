"""The format docs of the benefit files show the layouts of the code, field by field, and their examples are lines
of that very layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caisse.exchange.fixed_width import BENEFIT_TAX, CAREER, INSURABILITY, MUTUALITY, VOUCHERS

DOCS = Path(__file__).parents[2] / "docs" / "formats"
CASES = [(VOUCHERS, "service-vouchers.md"), (INSURABILITY, "insurability.md"), (BENEFIT_TAX, "benefit-tax.md"),
         (CAREER, "inasti-career.md"), (MUTUALITY, "mutuality.md")]


@pytest.mark.parametrize(("fmt", "doc"), CASES, ids=[c[1] for c in CASES])
def test_the_doc_shows_every_field_and_its_examples_read_back(fmt, doc):
    text = (DOCS / doc).read_text(encoding="utf-8")
    assert f"`{fmt.name}`, version {fmt.version}" in text and f"{fmt.width} characters" in text
    for layout in (fmt.header, fmt.detail, fmt.trailer):
        for pos, f in layout.positions():
            assert f"| {layout.code} | {pos} | {f.width} | `{f.name}` | {f.kind} |" in text, (doc, f.name)
    examples = [line for block in re.findall(r"```\n(.*?)```", text, re.S) for line in block.splitlines()
                if re.match(r"[019][A-Z0-9]", line)]
    assert examples, "an example"
    for line in examples:
        code, values = fmt.parse(line.ljust(fmt.width))
        if code == "0":
            assert (values["format"], values["version"]) == (fmt.name, fmt.version)
