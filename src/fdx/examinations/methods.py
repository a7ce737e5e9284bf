"""The analytical methods FDX knows, with their SWGDRUG category (A: high discrimination).

``examinations.actions.load_analytical_methods`` writes them (audited)."""

METHODS = [
    # code, English, Russian, confirmatory (SWGDRUG category A)
    (
        "gc_ms",
        "Gas chromatography–mass spectrometry (GC-MS)",
        "Газовая хроматография – масс-спектрометрия (ГХ-МС)",
        True,
    ),
    (
        "lc_ms",
        "Liquid chromatography–mass spectrometry (LC-MS)",
        "Жидкостная хроматография – масс-спектрометрия (ВЭЖХ-МС)",
        True,
    ),
    ("lc_ms_ms", "Tandem mass spectrometry (LC-MS/MS)", "Тандемная масс-спектрометрия (ВЭЖХ-МС/МС)", True),
    (
        "lc_hrms",
        "High-resolution mass spectrometry (LC-HRMS)",
        "Масс-спектрометрия высокого разрешения (ВЭЖХ-МСВР)",
        True,
    ),
    ("ftir", "Infrared spectroscopy (FTIR)", "ИК-спектроскопия (ИК-Фурье)", True),
    ("raman", "Raman spectroscopy", "Спектроскопия комбинационного рассеяния (рамановская)", True),
    ("nmr", "Nuclear magnetic resonance (NMR)", "Ядерный магнитный резонанс (ЯМР)", True),
    ("xrd", "X-ray diffractometry", "Рентгеновская дифрактометрия", True),
    ("gc_fid", "Gas chromatography (GC-FID)", "Газовая хроматография (ГХ-ПИД)", False),
    (
        "hplc_uv",
        "Liquid chromatography with UV detection (HPLC-DAD)",
        "ВЭЖХ с УФ/диодно-матричным детектором",
        False,
    ),
    ("tlc", "Thin-layer chromatography (TLC)", "Тонкослойная хроматография (ТСХ)", False),
    ("ims", "Ion mobility spectrometry", "Спектрометрия ионной подвижности", False),
    ("microscopy", "Microscopic examination", "Микроскопическое исследование", False),
    ("colour_test", "Colour tests", "Цветные (капельные) реакции", False),
    ("uv_vis", "Ultraviolet spectroscopy", "УФ-спектроскопия", False),
    ("immunoassay", "Immunoassay", "Иммунохимический анализ", False),
    ("melting_point", "Melting point", "Температура плавления", False),
]
