"""What the fund reports: tax certificates for the affiliates, statistics for the authorities and the fund itself.

Owns the ``tax_certificate`` and ``paid_up_certificate`` tables and the outgoing-file tables (``exchange_file``,
``exchange_record``, ``exchange_ack``). May import ledger, batches (run_batch), store, documents, exchange (formats),
recovery (its models and plans, read). Entry points: ``tax_certificates.run`` (the yearly batch),
``tax_certificates.compute`` (the set-based aggregation), ``paid_up.standing`` (is a debtor in order on a day, else
what is overdue per period: docs/certificates.md),
``reports.REPORTS`` (collection, arrears-ageing, affiliates: each a set-based SQL query as of a date),
``career.quarter_states`` / ``career_export`` / ``mutuality_export`` (per person and quarter as of a date, with the
plug-in points ``career.dispensations`` and ``career.prescriptions``), ``outgoing.make_file`` / ``import_ack`` /
``list_files`` (any export: only changes sent, answers imported; docs/outgoing-files.md).
"""
