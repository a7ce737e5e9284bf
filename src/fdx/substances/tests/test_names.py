import pytest
from hypothesis import given
from hypothesis import strategies as st

from fdx.substances.names import has_cyrillic, normalise, transliterate


@pytest.mark.parametrize(
    ("russian", "english"),
    [
        ("мефедрон", "mephedrone"),
        ("героин", "heroin"),
        ("кокаин", "cocaine"),
        ("метамфетамин", "methamphetamine"),
        ("фентанил", "fentanyl"),
        ("псилоцибин", "psilocybin"),
        ("каннабидиол", "cannabidiol"),
        ("хлордиазепоксид", "chlordiazepoxide"),
        ("феназепам", "phenazepam"),
        ("эфедрин", "ephedrine"),
        ("ксилазин", "xylazine"),
        ("альфа-PVP", "α-PVP"),
    ],
)
def test_russian_and_english_spellings_meet(russian, english):
    assert normalise(russian) in normalise(english) or normalise(english) in normalise(russian)


def test_punctuation_case_and_greek_do_not_matter():
    assert normalise("4-MMC") == normalise("4 mmc") == normalise("4mmc")
    assert normalise("α-PVP") == normalise("alpha-PVP") == normalise("Alpha PVP")
    assert normalise("Δ9-THC") == normalise("delta-9-THC")


def test_transliteration():
    assert transliterate("Мефедрон") == "mefedron"
    assert has_cyrillic("мяу") and not has_cyrillic("meow")


@given(st.text(max_size=40))
def test_normalised_names_are_plain_ascii_and_stable(text):
    folded = normalise(text)

    assert folded == normalise(folded) or folded.isascii()
    assert folded.isascii()
    assert all(char.isalnum() for char in folded)
