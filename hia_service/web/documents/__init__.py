"""Downloads of an assessment version's PDF and Word copy."""
