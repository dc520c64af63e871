"""Accounts: create organisations and people, sign in (password or organisation account), personal API
tokens, the audit of API calls, and the demo organisation."""
