"""FDX — Forensic Drug eXchange."""

__version__ = "0.1.0"
