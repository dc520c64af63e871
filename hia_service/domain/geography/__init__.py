"""Deprivation geography: resolve an area definition to small areas and profile it against a
deprivation index.

Pure library code (numpy, shapely, pyproj): no Flask, no database. Public entry points are re-exported by
`hia_service.geography`.
"""
