"""Test support shared by every app: named personas (``persona("kz_lab_chemist")``)."""
