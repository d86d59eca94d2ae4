"""Money in and out: pure file formats (no database).

- :mod:`caisse.exchange.coda`: Febelfin CODA 2.x and 1 bank statements (parser with strict/lenient modes, writer).
- :mod:`caisse.exchange.sepa`: SEPA pain.008.001.02 direct debits and pain.001.001.03 credit transfers,
  validated against the official XSDs.
"""
