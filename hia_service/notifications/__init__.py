"""Email notifications: reminders about follow-up actions and review dates.

Off unless HIA_SMTP_HOST is set. `hia reminders send` (cron, once a day) sends each person at most one email a
day listing their overdue actions and those due soon.
"""
