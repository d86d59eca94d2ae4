"""The fund's memory of money: an append-only, double-entry ledger (see README.md and docs/ledger.md)."""

from caisse.ledger.bulk import BulkResult, ChargeLine, Charges, explanation_json, insert_postings, post_many
from caisse.ledger.imputation import POLICIES, ImputationPolicy, policy_named
from caisse.ledger.operations import (
    DebtLine,
    PaymentResult,
    assign,
    charge,
    charge_posting,
    grant_benefit,
    imputation_entries,
    imputation_posting,
    impute,
    payment_posting,
    payout,
    receive_payment,
    receive_via_partner,
    refund,
    refund_unmatched,
    remittance_posting,
    retain_partner_fees,
    return_payment,
    settle_clearing,
    write_off,
)
from caisse.ledger.posting import Entry, Posting, PostResult, load, post, reverse
from caisse.ledger.queries import (
    Balance,
    amount_due,
    balance_select,
    balances,
    clearing_balance,
    clearing_balances,
    credit_available,
    open_items,
    pending_charges,
    split_not_yet_due,
    unassigned,
    unpaid_principal,
)

__all__ = [
    "POLICIES", "Balance", "BulkResult", "ChargeLine", "Charges", "DebtLine", "Entry", "ImputationPolicy",
    "PaymentResult", "PostResult", "Posting", "amount_due", "assign", "balance_select", "balances", "charge",
    "charge_posting", "credit_available", "explanation_json", "grant_benefit", "impute", "imputation_entries",
    "imputation_posting", "insert_postings", "load", "open_items", "payment_posting", "payout", "pending_charges",
    "split_not_yet_due", "policy_named", "post", "post_many", "receive_payment", "receive_via_partner", "refund",
    "clearing_balance", "clearing_balances", "refund_unmatched", "remittance_posting", "retain_partner_fees",
    "return_payment", "reverse", "settle_clearing", "unassigned", "unpaid_principal", "write_off",
]
