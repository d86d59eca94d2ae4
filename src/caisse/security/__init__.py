"""Identity, sessions and authorisation: who may see and do what (the services check it, not only the web).

Importing this package (every service does, through ``authz``) installs the log masking of ``logmask``: from
then on no log record of the process carries a national number or an IBAN, whoever logs it."""

from caisse.security import logmask

logmask.install()
