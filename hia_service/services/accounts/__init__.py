"""Accounts: create organisations and people, sign in (password or organisation account), personal API
tokens, the audit of API calls, the demo organisation, and what administrators do to accounts (deactivate,
reactivate, reset a password, change a role: administration.py; move to another organisation: moves.py)."""
