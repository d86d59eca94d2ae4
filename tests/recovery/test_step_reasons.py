"""A batch step written before the reason codes holds its English only: the pages read its values back from the
sentence. Each sentence, written with values, reads back to the same reason and values — none is mistaken for
another — and a handler's own words are read as no reason at all (shown as written)."""

from __future__ import annotations

import datetime as dt

from caisse.recovery.step_reasons import REASONS, parts, reason

VALUES = {"since": dt.date(2026, 3, 31), "contact": dt.date(2026, 10, 2), "ref": "C-2026-17",
          "served": dt.date(2026, 5, 4), "last": dt.date(2026, 6, 4), "start": dt.date(2026, 6, 5),
          "rule": "AR 19-12-1967 art. 50bis §1", "owed": 41_250, "quarters": "2026Q1, 2026Q2", "seq": 2,
          "due": dt.date(2026, 6, 20), "amount": 30_000, "grace": 15, "stage": "formal_notice", "plan": 7,
          "why": "lost her main client: 2 months"}


def test_every_sentence_written_reads_back_to_its_reason_and_values():
    for code, r in REASONS.items():
        names = [n for n in VALUES if "{" + n + "}" in r.text.template]
        written = reason(code, **{n: VALUES[n] for n in names})
        found, values = parts(None, None, written["reason"])  # as a step written before the codes
        assert found is r, code
        # read from a sentence, a value is its text (amounts: cents), as the page shows it
        assert values == {n: v if n in r.amounts else str(v) for n, v in written["reason_params"].items()}, code


def test_a_handlers_own_words_are_no_reason():
    assert parts(None, None, "she will not pay, says so by phone") is None
    assert parts(None, None, "principal due since last spring unpaid") is None  # not a date: not the batch's
