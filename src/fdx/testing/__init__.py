"""Test support shared by every app: named personas (``persona("kz_lab_chemist")``) and the shared data.

This package sits at the top of the layers (it may import any app) and is used only by tests.
"""
