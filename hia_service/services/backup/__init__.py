"""Backup: export one organisation to a signed archive (`hia export`), and check and restore an archive
(`hia import`)."""
