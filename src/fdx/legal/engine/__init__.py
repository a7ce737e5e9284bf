"""The legal-status engine (Django-free): given a structure, a jurisdiction and a date, which lists control
it, on what basis, and which amount category a mass falls into. ``legal.selectors`` feeds it a snapshot of
the database; tests and benchmarks can feed it directly."""
