"""Money in and out: CODA import and reconciliation, SEPA direct-debit mandates and collections, credit
transfers for refunds and benefits (see docs/collection-money.md)."""
