"""The public page for checking a signed assessment record."""
