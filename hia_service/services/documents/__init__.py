"""Documents: the PDF and Word record of a version, signing the record of an approved version, drawing
documents in the background (RQ), and where they are stored (local folder or S3 bucket)."""
