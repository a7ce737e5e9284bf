"""The case pages (``cases``), harmonisation weighed against the findings (``harmonisation``) and spectral
identification started from an examination (``identification``)."""
