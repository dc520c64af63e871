"""Areas: resolve any area a person describes (codes, a radius, a polygon, LSOA codes, patient postcodes)
into an AreaProfile against the loaded reference data; say what reference data is loaded."""
