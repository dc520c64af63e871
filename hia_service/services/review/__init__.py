"""Review: the governance queue, reading a version's answers, comments, returning, approving and recording
the decision; follow-up of actions and monitoring, with daily reminder emails; the dashboard and the CSV
register."""
