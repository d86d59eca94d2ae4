"""`caisse simulate ...`: the contract other tools rely on (flags, JSON keys, CSV columns, errors)."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from caisse.cli import app

runner = CliRunner()


def sim(*args):
    return runner.invoke(app, ["simulate", *args])


def answer(*args):
    r = sim(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_contribution_main_2025_with_fee():
    d = answer("contribution", "--year", "2025", "--category", "main", "--income", "80000", "--fee-rate", "0.0405")
    assert d["annual_contribution"] == "15984.57"
    assert d["quarterly_contribution"] == "3996.14"
    assert d["quarterly_total"] == "4157.98"
    assert d["explanation"]["steps"]


def test_primostarter_flag():
    d = answer("contribution", "--year", "2025", "--category", "main", "--income", "0", "--primostarter",
               "--fee-rate", "0.0305")
    assert d["quarterly_total"] == "463.88"


def test_primostarter_first_quarter_is_reduced_with_start_quarter():
    # Securex 2024: 344.80 for the first primostarter quarter, 464.55 for the others (fee ≈ 4.10 %)
    d = answer("provisional", "--year", "2024", "--category", "main", "--starter", "--primostarter",
               "--start-quarter", "1", "--fee-rate", "0.041")
    assert [q["total"] for q in d["quarters"]] == ["344.80", "464.55", "464.55", "464.55"]
    assert any("115.03" in step for step in d["explanation"]["steps"])


@pytest.mark.parametrize(("flags", "reason"), [
    ((), "start-quarter: the first-quarter reduction exists only for a primostarter"),
    (("--primostarter",), "start-quarter: a quarter is 1 to 4"),
])
def test_a_wrong_start_quarter_is_refused_naming_the_option(flags, reason):
    quarter = "5" if flags else "1"
    r = sim("provisional", "--year", "2024", "--category", "main", "--starter", *flags, "--start-quarter", quarter)
    assert r.exit_code == 2 and r.output.strip() == f"error: {reason}"


def test_provisional_from_revalued_income():
    d = answer("provisional", "--year", "2025", "--category", "main", "--reference-income", "40000")
    assert (d["income"], d["reference_year"], d["revalued_income"]) == ("40000.00", 2022, "43693.22")
    assert d["contribution_basis"] == "43693.22"
    assert d["quarterly_contribution"] == "2239.28"


def test_regularisation():
    d = answer("regularisation", "--year", "2025", "--category", "complementary", "--income", "6200",
               "--provisional-paid", "401.20", "--fee-rate", "0.0305")
    assert d["definitive_total"] == "1309.76"
    assert d["difference"] == "908.56"


def test_regularisation_of_a_pensioner_who_has_not_taken_the_pension():
    """From Q4 2025 a person past pension age without a pension pays as in main activity (legislation.md §1.3):
    three quarters at 14.70 % of 10,000 / 4 = 512.50, and Q4 at the main minimum 871.71."""
    d = answer("regularisation", "--year", "2025", "--category", "post_pension", "--income", "10000",
               "--provisional-paid", "0", "--without-pension")
    assert [q["definitive"] for q in d["quarters"]] == ["512.50", "512.50", "512.50", "871.71"]
    assert d["definitive_total"] == "2409.21"
    kept = answer("regularisation", "--year", "2025", "--category", "post_pension", "--income", "10000",
                  "--provisional-paid", "0", "--without-pension", "--opt-out")
    assert kept["definitive_total"] == "2050.00"  # the old regime: 20.50 % without a minimum (addendum, S243)
    late = answer("regularisation", "--year", "2025", "--category", "main", "--income", "40000",
                  "--provisional-paid", "0", "--quarters", "2", "--first-quarter", "3")
    assert [q["quarter"] for q in late["quarters"]] == [3, 4]


def test_surcharge():
    d = answer("surcharge", "--amount", "1200.00", "--due-date", "2025-06-30", "--paid-on", "2025-11-02")
    assert d["surcharge_total"] == "72.00"
    assert [s["date"] for s in d["surcharges"]] == ["2025-06-30", "2025-09-30"]


def test_company():
    assert answer("company", "--year", "2025", "--balance-sheet-total", "900000")["amount"] == "998.47"


def test_bridging_right():
    assert answer("bridging-right", "--date", "2024-09-01", "--days", "22")["amount"] == "1228.70"
    assert answer("bridging-right", "--date", "2024-09-01", "--days", "22", "--family-charge")["amount"] == "1535.39"


def test_maternity():
    d = answer("maternity", "--start", "2025-03-03", "--full-weeks", "9", "--half-weeks", "6")
    assert d["amount"] == "10075.80"
    assert d["service_vouchers"] == 105


def test_explanation_language():
    d = answer("contribution", "--year", "2025", "--category", "main", "--income", "80000", "--lang", "de")
    assert d["explanation"]["steps"][0].startswith("Beitragskategorie")


@pytest.mark.parametrize(("args", "says"), [
    (["contribution", "--year", "2025", "--category", "mian", "--income", "1"], "category"),
    (["contribution", "--year", "2025", "--category", "main", "--income", "-1"], "income"),
    (["contribution", "--year", "2027", "--category", "main", "--income", "1"], "2027"),
    (["company", "--year", "2026", "--balance-sheet-total", "900000"], "ESTIMATE"),
    (["surcharge", "--amount", "10", "--due-date", "2025-13-01", "--paid-on", "2026-01-01"], "due-date"),
    (["contribution", "--year", "2025", "--category", "main", "--income", "80,000"], "income: '80,000' is ambiguous"),
    (["contribution", "--year", "2025", "--category", "main", "--income", "80.000,00"], "income: '80.000,00'"),
    (["contribution", "--year", "2025", "--category", "main", "--income", "1.2345"], "more than two decimals"),
    (["contribution", "--year", "0", "--category", "main", "--income", "100"], "year: not a year: 0"),
    (["regularisation", "--year", "2025", "--category", "main", "--income", "1", "--provisional-paid", "0",
      "--first-quarter", "7"], "first-quarter"),
    (["regularisation", "--year", "2025", "--category", "post_pension", "--income", "10000",
      "--provisional-paid", "0", "--opt-out"], "opt-out: keeping the old regime applies only without pension"),
    (["contribution", "--year", "2025", "--category", "post_pension", "--income", "10000", "--opt-out"], "opt-out"),
    (["provisional", "--year", "0", "--category", "main", "--reference-income", "100"], "year: not a year"),
    (["company", "--year", "0", "--subjection-year", "1"], "year: not a year"),
    (["surcharge", "--amount", "1000", "--due-date", "2025-06-15", "--paid-on", "2025-07-10"],
     "due-date: 2025-06-15 is not the last day of a quarter"),
    (["unjustified-reduction", "--year", "2025", "--definitive", "10000", "--reduced-provisional", "4.000"],
     "reduced-provisional: '4.000' is ambiguous"),
    (["unjustified-reduction", "--year", "0", "--definitive", "1", "--reduced-provisional", "1"], "year"),
])
def test_bad_input_is_one_error_line_and_exit_2(args, says):
    r = sim(*args)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0]


def run_batch(tmp_path, body: str, *flags):
    """(the command's result, the rows written) of a CSV batch over ``body``."""
    src, dst = tmp_path / "profiles.csv", tmp_path / "result.csv"
    src.write_text(body)
    r = sim("contribution", "--input", str(src), "--output", str(dst), *flags)
    assert r.exit_code == 0, r.output
    return r, list(csv.DictReader(dst.open()))


def test_csv_batch(tmp_path):
    _r, out = run_batch(tmp_path, "id,year,category,income\n7,2025,main,80000\n8,2024,main,0\n", "--fee-rate", "0.0395")
    assert list(out[0]) == ["id", "year", "category", "income", "annual_contribution", "quarterly_contribution",
                            "quarterly_total"]
    assert (out[0]["id"], out[0]["quarterly_contribution"]) == ("7", "3996.14")
    assert out[1]["quarterly_total"] == "898.28"


def test_csv_batch_with_bad_rows_writes_nothing(tmp_path):
    src, dst = tmp_path / "profiles.csv", tmp_path / "result.csv"
    src.write_text("year,category,income\n2025,main,80000\n2025,nope,1\n2025,main,x\n")
    r = sim("contribution", "--input", str(src), "--output", str(dst))
    assert r.exit_code == 2
    assert "line 3: category" in r.stderr and "line 4: income" in r.stderr
    assert not dst.exists()


def test_csv_batch_takes_a_primostarters_start_quarter(tmp_path):
    # Securex 2024: the first quarter of activity 344.80 with a 4.10 % fee, the others 464.55
    _r, out = run_batch(tmp_path, "id,year,category,income,primostarter,start_quarter\n1,2024,main,0,true,2\n"
                                  "2,2024,main,0,,\n", "--fee-rate", "0.041")
    assert [(o["quarterly_total"], o["reduction"], o["start_quarter_contribution"], o["start_quarter_total"])
            for o in out] == [("464.55", "115.03", "331.22", "344.80"), ("899.58", "", "", "")]


def test_contribution_with_a_belgian_decimal_comma():
    d = answer("contribution", "--year", "2025", "--category", "main", "--income", "80000,50")
    assert (d["income"], d["annual_contribution"]) == ("80000.50", "15984.64")


def test_unjustified_reduction_says_its_source_is_secondary():
    d = answer("unjustified-reduction", "--year", "2025", "--definitive", "10000", "--reduced-provisional", "4000",
               "--paid-by-year-end", "2000")
    assert (d["base"], d["surcharge_total"]) == ("4000.00", "400.00")
    assert [(s["date"], s["amount"]) for s in d["surcharges"]] == [("2025-12-31", "120.00"), ("2026-01-01", "280.00")]
    assert d["source_status"] == "secondary"
    assert "secondary" in d["explanation"]["steps"][-1] and "not found" in d["explanation"]["steps"][-1]
    assert {p["status"] for p in d["explanation"]["parameters"]} == {"secondary"}
    assert "44bis" not in json.dumps(d)


def test_company_2026_small_amount_is_used_and_flagged():
    d = answer("company", "--year", "2026", "--subjection-year", "1", "--lang", "fr")
    assert (d["amount"], d["uses_estimates"], d["low_confidence"]) == ("409.30", False, True)
    assert any("source secondaire peu fiable" in step for step in d["explanation"]["steps"])
    assert d["explanation"]["parameters"][-1]["confidence"] == "low"


PRIMO = ",primostarter,start_quarter"  # the optional columns: a wrong value named by its column and row


@pytest.mark.parametrize(("rows", "says"), [
    ("0000,main,100", "line 3: year: not a year: '0000'"),
    ("2025,main,1.234", "line 3: income: '1.234' is ambiguous"),
    ("2025,main,1.2345", "line 3: income: '1.2345': more than two decimals"),
    ('2025,main,"80,000"', "line 3: income: '80,000' is ambiguous"),
    ("2024,main,0,,1" + PRIMO, "line 3: start_quarter: the first-quarter reduction exists only for a primostarter"),
    ("2024,main,0,true,0" + PRIMO, "line 3: start_quarter: a quarter is 1 to 4: '0'"),
    ("2024,student,0,true," + PRIMO, "line 3: primostarter: the primostarter reduction exists only for a main "
                                     "activity"),
])
def test_csv_batch_refuses_a_year_0_and_incomes_it_would_have_to_round_or_guess(tmp_path, rows, says):
    src, dst = tmp_path / "profiles.csv", tmp_path / "result.csv"
    rows, columns, _ = rows.partition(PRIMO)
    src.write_text(f"year,category,income{columns}\n2025,main,80000{',,' if columns else ''}\n{rows}\n")
    r = sim("contribution", "--input", str(src), "--output", str(dst))
    assert r.exit_code == 2 and not dst.exists()
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], lines


def test_csv_batch_reads_a_quoted_decimal_comma(tmp_path):
    src, dst = tmp_path / "profiles.csv", tmp_path / "result.csv"
    src.write_text('year,category,income\n2025,main,"80000,50"\n')
    assert sim("contribution", "--input", str(src), "--output", str(dst)).exit_code == 0
    assert list(csv.DictReader(dst.open()))[0]["annual_contribution"] == "15984.64"


# --- the batch's fast path in caisse.cli.main (no typer): same answers as the typer command --------------------

@pytest.mark.parametrize(("argv", "fast"), [
    (["simulate", "contribution", "--input", "a", "--output", "b"], True),
    (["simulate", "contribution", "--output=b", "--input=a", "--fee-rate", "0.0405", "--allow-estimates", "--json"],
     True),
    (["simulate", "contribution", "--input", "a"], False),                      # typer says what is missing
    (["simulate", "contribution", "--input", "a", "--output", "b", "--lang", "fr"], False),
    (["simulate", "contribution", "--input", "a", "--input", "c", "--output", "b"], False),
    (["simulate", "contribution", "--input", "a", "--output", "b", "--help"], False),
    (["simulate", "contribution", "--year", "2025", "--category", "main", "--income", "1"], False),
    (["simulate", "provisional", "--input", "a", "--output", "b"], False),
])
def test_which_command_lines_take_the_fast_path(argv, fast):
    from caisse.cli.batch import parse_fast

    assert (parse_fast(argv) is not None) == fast


def _main(monkeypatch, capsys, *args):
    from caisse.cli import main

    monkeypatch.setattr("sys.argv", ["caisse", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("body", [
    "id,year,category,income\n7,2025,main,80000\n8,2024,main,0\n",
    "year,category,income\n2025,main,80000\n0000,main,100\n2025,main,1.234\n",
    "year,category,income\n2027,main,1\n",
    "year,category,income,primostarter,start_quarter\n2024,main,0,true,1\n2024,main,0,false,\n",
    "year,category,income,primostarter,start_quarter\n2024,main,0,false,1\n",
])
def test_the_fast_path_and_the_typer_command_answer_alike(tmp_path, monkeypatch, capsys, body):
    src = tmp_path / "in.csv"
    src.write_text(body)
    fast_out, typer_out = tmp_path / "fast.csv", tmp_path / "typer.csv"
    code, out, err = _main(monkeypatch, capsys, "simulate", "contribution", "--input", str(src), "--output",
                           str(fast_out), "--fee-rate", "0.0405")
    r = sim("contribution", "--input", str(src), "--output", str(typer_out), "--fee-rate", "0.0405")
    assert (code, out) == (r.exit_code, r.stdout)
    assert err.replace(str(fast_out), "OUT") == r.stderr.replace(str(typer_out), "OUT")
    assert fast_out.exists() == typer_out.exists() == (code == 0)
    if code == 0:
        assert fast_out.read_bytes() == typer_out.read_bytes()
    else:
        assert len(err.strip().splitlines()) == 1 and err.startswith("error: input: ")


def test_the_fast_path_does_not_load_typer(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    src = tmp_path / "in.csv"
    src.write_text("year,category,income\n2025,main,80000\n")
    code = ("import sys; sys.argv = ['caisse', 'simulate', 'contribution', '--input', sys.argv[1], '--output', "
            "sys.argv[2]]; from caisse.cli import main; main(); print(sorted(m for m in ('typer', 'pydantic') "
            "if m in sys.modules))")
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", code, str(src), str(tmp_path / "out.csv")], capture_output=True,
                       text=True, env=env, check=True)
    assert r.stdout.strip() == "[]"
    assert r.stderr == f"1 rows written to {tmp_path / 'out.csv'}\n"
