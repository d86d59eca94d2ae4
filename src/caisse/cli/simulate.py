"""`caisse simulate ...`: the contribution and benefit simulator (see issue: legislation as code).

Amounts are read as text (never floats) and printed with two decimals; `--json` prints the machine answer (amounts
as strings). Bad input raises caisse.errors.InvalidInput, which the root group prints as one `error:` line (exit 2).
Imports of the rules are lazy: the CSV batch is timed as a whole process.
"""

from __future__ import annotations

import functools

import typer

from caisse.cli.platform import parse_date as _date
from caisse.errors import CaisseError, InvalidInput

_app = typer.Typer(help="Simulate contributions, surcharges and benefits from the legal rules.", no_args_is_help=True)


class _Commands:
    """Registers commands so that a CaisseError always ends as one `error: ...` line on stderr with exit code 2.

    (The root group converts CaisseError too, but through the `click` package's ClickException, which the click
    vendored in typer 0.29 does not recognise; doing it here keeps the simulator's contract either way.)
    """

    def __init__(self, typer_app: typer.Typer):
        self.typer_app = typer_app

    def command(self, *args, **kwargs):
        def register(fn):
            @functools.wraps(fn)
            def wrapper(*a, **kw):
                try:
                    return fn(*a, **kw)
                except CaisseError as exc:
                    from caisse.cli.batch import error_line

                    typer.echo(error_line(exc), err=True)
                    raise typer.Exit(2) from None

            return self.typer_app.command(*args, **kwargs)(wrapper)

        return register


app = _app
_commands = _Commands(_app)

JsonOpt = typer.Option(False, "--json", help="Print the answer as JSON (amounts as strings with two decimals).")
LangOpt = typer.Option("en", "--lang", help="Language of the explanation: fr, nl, de or en.")
EstOpt = typer.Option(False, "--allow-estimates",
                      help="Use amounts marked ESTIMATE (not published) instead of refusing; the answer says so.")
FeeOpt = typer.Option(None, "--fee-rate", help="Management fee rate of the fund, e.g. 0.0405.")
FirstQuarterOpt = typer.Option(None, help="First quarter of affiliation (default: the year's end).")
StartQuarterOpt = typer.Option(None, help="With --primostarter: the quarter (1-4) the main activity began; its "
                                          "contribution gets the first-quarter reduction.")
WithoutPensionOpt = typer.Option(False, "--without-pension",
                                 help="post_pension: pension age reached, pension not taken.")
OptOutOpt = typer.Option(False, "--opt-out", help="With --without-pension: keep the old regime.")
InputHelp = ("CSV with columns year,category,income (batch); optional primostarter (true/false) and start_quarter "
             "(1-4).")



def _pension(without_pension: bool, opt_out: bool) -> bool:
    from caisse.rules.contributions import check_opt_out

    check_opt_out(pension=not without_pension, opt_out=opt_out)
    return not without_pension


def _require(**values) -> None:
    for name, v in values.items():
        if v is None:
            raise InvalidInput(name.replace("_", "-"), "required")


def _lang(lang: str) -> str:
    if lang not in ("fr", "nl", "de", "en"):
        raise InvalidInput("lang", "one of fr, nl, de, en")
    return lang


def _show(result, as_json: bool, lang: str, headline: list[str]) -> None:
    d = result.to_dict(_lang(lang))
    if as_json:
        import json

        typer.echo(json.dumps(d, ensure_ascii=False, indent=2))
        return
    for key in headline:
        if d.get(key) is not None:
            typer.echo(f"{key}: {d[key]}")
    typer.echo("")
    for line in d["explanation"]["steps"]:
        typer.echo(f"  {line}")


@_commands.command()
def contribution(
    year: int | None = typer.Option(None, help="Contribution year."),
    category: str | None = typer.Option(None, help="main, complementary, student, helping_spouse, post_pension, art37"),
    income: str | None = typer.Option(None, help="Net taxable professional income of the year, EUR."),
    fee_rate: str | None = FeeOpt,
    primostarter: bool = typer.Option(False, "--primostarter", help="Main activity, reduced primostarter minimum."),
    quarters: int = typer.Option(4, help="Quarters of affiliation in the year (1-4): the income is annualised."),
    first_quarter: int | None = FirstQuarterOpt,
    start_quarter: int | None = StartQuarterOpt,
    without_pension: bool = WithoutPensionOpt,
    opt_out: bool = OptOutOpt,
    input: str | None = typer.Option(None, "--input", help=InputHelp),  # noqa: A002
    output: str | None = typer.Option(None, "--output", help="CSV to write (batch)."),
    allow_estimates: bool = EstOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Definitive contribution of a year (or a CSV batch with --input/--output)."""
    if input is not None or output is not None:
        if input is None or output is None:
            raise InvalidInput("input" if input is None else "output", "a batch needs both --input and --output")
        if any(x is not None for x in (year, category, income)):
            raise InvalidInput("input", "give either --input/--output or --year/--category/--income, not both")
        from caisse.cli.batch import run

        run(input, output, fee_rate, allow_estimates, as_json)
        return
    _require(year=year, category=category, income=income)
    from caisse.rules.contributions import contribution as compute

    r = compute(year, category, income, primostarter=primostarter, quarters=quarters, first_quarter=first_quarter,
                start_quarter=start_quarter, fee_rate=fee_rate, pension=_pension(without_pension, opt_out),
                opt_out=opt_out, allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["annual_contribution", "quarterly_contribution", "quarterly_total", "due_for_year"])


@_commands.command()
def provisional(
    year: int = typer.Option(..., help="Contribution year N."),
    category: str = typer.Option(..., help="Contributor category."),
    reference_income: str | None = typer.Option(None, help="Income of year N-3 (revalued by the art. 11 §3 "
                                                           "coefficient)."),
    starter: bool = typer.Option(False, "--starter", help="Starter: no income of N-3 known."),
    chosen_income: str | None = typer.Option(None, help="Reduction: income chosen by the affiliate."),
    primostarter: bool = typer.Option(False, "--primostarter"),
    start_quarter: int | None = StartQuarterOpt,
    fee_rate: str | None = FeeOpt,
    without_pension: bool = WithoutPensionOpt,
    opt_out: bool = OptOutOpt,
    allow_estimates: bool = EstOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Provisional contribution: from the revalued income of N-3, for a starter, or on a chosen income."""
    from caisse.rules.contributions import provisional as compute

    r = compute(year, category, reference_income, starter=starter, chosen_income=chosen_income,
                primostarter=primostarter, start_quarter=start_quarter, fee_rate=fee_rate,
                pension=_pension(without_pension, opt_out), opt_out=opt_out, allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["income", "reference_year", "revalued_income", "contribution_basis", "annual_contribution",
                             "quarterly_contribution", "quarterly_total"])


@_commands.command()
def regularisation(
    year: int = typer.Option(...),
    category: str = typer.Option(...),
    income: str = typer.Option(..., help="Definitive income of the year (from the tax administration)."),
    provisional_paid: str = typer.Option(..., help="Provisional contributions paid for the year (with fee if "
                                                   "--fee-rate), or one amount per quarter separated by ';'."),
    fee_rate: str | None = FeeOpt,
    notice_date: str | None = typer.Option(None, help="Date of the regularisation notice (gives the due date)."),
    quarters: int = typer.Option(4),
    first_quarter: int | None = FirstQuarterOpt,
    primostarter: bool = typer.Option(False, "--primostarter"),
    start_quarter: int | None = StartQuarterOpt,
    without_pension: bool = WithoutPensionOpt,
    opt_out: bool = OptOutOpt,
    allow_estimates: bool = EstOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Regularisation: definitive minus provisional, per quarter, with the due date of a supplement."""
    from caisse.rules.contributions import regularisation as compute

    paid: object = provisional_paid.split(";") if ";" in provisional_paid else provisional_paid
    r = compute(year, category, income, paid, notice_date=_date(notice_date, "notice-date"), quarters=quarters,
                first_quarter=first_quarter, primostarter=primostarter, start_quarter=start_quarter,
                fee_rate=fee_rate, pension=_pension(without_pension, opt_out), opt_out=opt_out,
                allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["definitive_total", "provisional_paid", "difference", "due_date"])


@_commands.command()
def surcharge(
    amount: str = typer.Option(..., help="Contribution due, EUR."),
    due_date: str = typer.Option(..., help="Due date (last day of the quarter)."),
    paid_on: str | None = typer.Option(None, help="Date the whole amount was credited."),
    payment: list[str] | None = typer.Option(None, help="A partial payment DATE:AMOUNT (repeatable)."),
    as_of: str | None = typer.Option(None, help="Compute up to this date (when not fully paid)."),
    served_on: str | None = typer.Option(None, help="Date a contrainte was served / summons issued."),
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Late-payment surcharges (art. 44): 3 % per quarter-end, 7 % on 1 January, never on surcharges."""
    from caisse.rules.surcharges import late_payment_surcharges

    payments = []
    if paid_on is not None:
        payments.append((_date(paid_on, "paid-on"), amount))
    for i, p in enumerate(payment or []):
        if ":" not in p:
            raise InvalidInput(f"payment.{i}", "expected DATE:AMOUNT")
        d, a = p.split(":", 1)
        payments.append((_date(d, f"payment.{i}"), a))
    r = late_payment_surcharges(amount, _date(due_date, "due-date"), payments, as_of=_date(as_of, "as-of"),
                                served_on=_date(served_on, "served-on"))
    _show(r, as_json, lang, ["surcharge_total", "unpaid_contribution"])


@_commands.command("unjustified-reduction")
def unjustified_reduction(
    year: int = typer.Option(..., help="Contribution year whose provisional contributions were reduced."),
    definitive: str = typer.Option(..., help="Definitive contribution of the year (annual, without fee), EUR."),
    reduced_provisional: str = typer.Option(..., help="Reduced provisional contributions of the year (annual, "
                                                      "without fee), EUR."),
    paid_by_year_end: str = typer.Option("0", help="Paid on top of the reduced provisional contributions by "
                                                   "31 December of the year, EUR."),
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Surcharge after an unjustified reduction: 3 % + one-off 7 % of the excess unpaid on 31 December (secondary
    source: the article of law was not found)."""
    from caisse.rules.surcharges import unjustified_reduction_surcharge

    r = unjustified_reduction_surcharge(year, definitive, reduced_provisional, paid_by_year_end)
    _show(r, as_json, lang, ["base", "surcharge_total"])


@_commands.command()
def company(
    year: int = typer.Option(...),
    balance_sheet_total: str | None = typer.Option(None, help="Balance-sheet total of the penultimate closed "
                                                              "financial year."),
    subjection_year: int | None = typer.Option(None, help="1 = first year the company is subject, 2 = second ..."),
    paid_on: str | None = typer.Option(None, help="Payment date (1 % surcharge per month late)."),
    allow_estimates: bool = EstOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Annual company contribution: bracket by balance-sheet total, due 31 December."""
    from caisse.rules.company import company_contribution

    r = company_contribution(year, balance_sheet_total, subjection_year=subjection_year,
                             paid_on=_date(paid_on, "paid-on"), allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["amount", "due_date", "surcharge_total"])


@_commands.command("bridging-right")
def bridging_right(
    date_: str = typer.Option(..., "--date", help="First day of the month of interruption."),
    days: int | None = typer.Option(None, help="Days of forced interruption in the month (7-day blocks)."),
    months: int = typer.Option(1, help="Full months (when --days is not given)."),
    family_charge: bool = typer.Option(False, "--family-charge"),
    months_used: int = typer.Option(0, help="Months of bridging right already received in the career."),
    paid_quarters_last_16: int | None = typer.Option(None, help="Quarters actually paid in the last 16."),
    pension_quarters: int | None = typer.Option(None, help="Pension-creating quarters as self-employed."),
    allow_estimates: bool = EstOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Bridging right (droit passerelle / overbruggingsrecht)."""
    from caisse.rules.benefits import bridging_right as compute

    r = compute(_date(date_, "date"), days=days, months=months, family_charge=family_charge,
                months_used=months_used, paid_quarters_last_16=paid_quarters_last_16,
                pension_quarters=pension_quarters, allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["amount", "eligible", "monthly_amount"])


@_commands.command()
def maternity(
    start: str = typer.Option(..., help="First day of the maternity rest."),
    full_weeks: int = typer.Option(..., help="Full weeks."),
    half_weeks: int = typer.Option(0, help="Half weeks (optional weeks taken half-time)."),
    multiple_birth: bool = typer.Option(False, "--multiple-birth"),
    allow_estimates: bool = EstOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Maternity allowance (weekly amounts by date) and the 105 maternity-aid service vouchers."""
    from caisse.rules.benefits import maternity as compute

    r = compute(_date(start, "start"), full_weeks=full_weeks, half_weeks=half_weeks, multiple_birth=multiple_birth,
                allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["amount", "service_vouchers"])


@_commands.command("birth-leave")
def birth_leave(
    date_: str = typer.Option(..., "--date", help="Date of the leave."),
    days: int = typer.Option(0), half_days: int = typer.Option(0),
    allow_estimates: bool = EstOpt, as_json: bool = JsonOpt, lang: str = LangOpt,
) -> None:
    """Birth leave: 20 days or 40 half-days."""
    from caisse.rules.benefits import birth_leave as compute

    r = compute(_date(date_, "date"), days=days, half_days=half_days, allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["amount", "daily_amount"])


@_commands.command()
def bereavement(
    date_: str = typer.Option(..., "--date", help="Date of the leave."),
    days: int = typer.Option(...),
    allow_estimates: bool = EstOpt, as_json: bool = JsonOpt, lang: str = LangOpt,
) -> None:
    """Bereavement leave: up to 10 days."""
    from caisse.rules.benefits import bereavement_leave

    r = bereavement_leave(_date(date_, "date"), days=days, allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["amount", "daily_amount"])


@_commands.command()
def carer(
    date_: str = typer.Option(..., "--date", help="First day of the leave."),
    months: int = typer.Option(...), partial: bool = typer.Option(False, "--partial"),
    months_used: int = typer.Option(0),
    allow_estimates: bool = EstOpt, as_json: bool = JsonOpt, lang: str = LangOpt,
) -> None:
    """Carer leave: monthly amount, 12 months over the career."""
    from caisse.rules.benefits import carer_leave

    r = carer_leave(_date(date_, "date"), months=months, partial=partial, months_used=months_used,
                    allow_estimates=allow_estimates)
    _show(r, as_json, lang, ["amount", "monthly_amount"])
