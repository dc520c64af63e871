"""Assessments: start one, answer it page by page (the wizard), set its area, answer the local groups,
submit it for review; see which other assessments cover the same neighbourhoods (cumulative impact)."""
