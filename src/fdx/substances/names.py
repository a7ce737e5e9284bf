"""Normalising substance names for search across Cyrillic and Latin spellings (Django-free).

No library folds Russian and English drug names onto each other, so this is hand-written: both the
stored names and the query go through ``normalise``, which

1. lower-cases, turns Greek letters into their names (α → alpha, Δ → delta) and drops punctuation,
   spaces and primes ("α-PVP", "alpha PVP" and "alpha-pvp" all become ``alphapvp``);
2. transliterates Cyrillic to Latin (мефедрон → mefedron);
3. folds the spelling differences between English and transliterated Russian names (ph → f, th → t,
   c → k or s, x → ks, y → i, h → g …), so that "мефедрон" meets "mephedrone", "героин" meets "heroin"
   and "кокаин" meets "cocaine".

Search then looks for the normalised query inside the normalised names.
"""

from __future__ import annotations

import re
import unicodedata

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "Δ": "delta",
    "ε": "epsilon",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ω": "omega",
    "Ω": "omega",
    "σ": "sigma",
    "τ": "tau",
    "φ": "phi",
}

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Kazakh, Kyrgyz, Tajik, Uzbek (Cyrillic) letters
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
    "ҳ": "h",
    "ӣ": "i",
    "ӯ": "u",
    "ҷ": "dzh",
    "ў": "u",
}

# Applied in order, after transliteration, to both sides of a comparison.
_FOLDS = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("kh", "h"),
    ("ch", "h"),
    ("ts", "s"),
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "si"),
    ("c", "k"),
    ("qu", "kv"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("h", "g"),
    ("z", "s"),
)

_DROP = re.compile(r"[^0-9a-z]+")


def transliterate(text: str) -> str:
    """Lower-case Latin transliteration of ``text`` (Cyrillic and Greek letters replaced)."""
    lowered = "".join(_GREEK.get(char, char) for char in text).lower()
    lowered = "".join(_CYRILLIC.get(char, char) for char in lowered)
    # Strip accents that remain (e.g. "ü" in a Latin-script name).
    return unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")


def normalise(text: str) -> str:
    """The folded form of a name, used on both the stored names and the query."""
    folded = _DROP.sub("", transliterate(text))
    for source, target in _FOLDS:
        folded = folded.replace(source, target)
    # Doubled letters are spelt single in one language and double in the other (каннабис/cannabis).
    return re.sub(r"(.)\1+", r"\1", folded)


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in text)
