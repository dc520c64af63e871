"""An organisation's own setup, maintained by its admins.

population.py: the population it serves; choices.py: its lists of directorates, decision forums and sites;
branding.py: its name, logo, address and signing certificate on documents; local_framework.py: its local
additions to the national framework."""
