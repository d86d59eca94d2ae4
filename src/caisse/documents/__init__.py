"""Documents sent to affiliates (due notices, statements). :mod:`caisse.documents.epc_qr`: the EPC QR code."""
