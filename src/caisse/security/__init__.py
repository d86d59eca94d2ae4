"""Identity, sessions and authorisation: who may see and do what (the services check it, not only the web)."""
