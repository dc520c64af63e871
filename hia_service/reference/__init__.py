"""Manifest-driven loader of the reference files: check every file, build a derived snapshot the geography
engine reads in a second or two, and switch to it atomically. No Flask here; the CLI adds the database
provenance."""
