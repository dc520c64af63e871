"""Email: sending plain-text messages through the configured SMTP server (off unless HIA_SMTP_HOST is set).

What the emails say, and to whom, is decided by the services that send them: the daily reminders about
follow-up (services/review/reminders.py, `hia reminders send`) and the notices of review decisions.
"""
