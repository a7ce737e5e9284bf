"""Demo data: clearly labelled, deterministic, for trying FDX out (never for a production node)."""
