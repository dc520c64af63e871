"""Personal API tokens in the browser: create (shown once), list, revoke."""
