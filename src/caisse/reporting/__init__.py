"""What the fund reports: tax certificates for the affiliates, statistics for the authorities and the fund itself.

Owns the ``tax_certificate`` table. May import ledger, batches (run_batch), store, documents. Entry points:
``tax_certificates.run`` (the yearly batch), ``tax_certificates.compute`` (the set-based aggregation),
``reports.REPORTS`` (collection, arrears-ageing, affiliates: each a set-based SQL query as of a date).
"""
