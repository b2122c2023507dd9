"""Engine: light SimPy resources, capacity calendars, random streams and samplers."""
