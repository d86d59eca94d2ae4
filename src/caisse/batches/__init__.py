"""The fund's calendar: quarterly call, company call, surcharges, regularisation (see README.md, docs/batches.md)."""
