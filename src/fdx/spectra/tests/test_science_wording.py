"""Messages of the Django-free readers come in the user's language inside FDX."""

from django.utils import translation

from fdx.spectra.formats import FormatError, read_spectra
from fdx.spectra.science.wording import translated


def test_a_message_is_translated_and_filled_in():
    with translation.override("ru"):
        assert translated("the record has no peaks") == "в записи нет пиков"
        assert translated("%(token)s is not a number", token="'abc'") == "'abc' не является числом"
    assert translated("%(token)s is not a number", token="'abc'") == "'abc' is not a number"


def test_a_malformed_file_is_reported_in_russian(tmp_path):
    # Given a record with a word among its peaks
    path = tmp_path / "bad.msp"
    path.write_text("Name: x\nNum Peaks: 2\n10 abc\n", encoding="utf-8")

    # When a Russian-speaking chemist reads it
    with translation.override("ru"):
        try:
            read_spectra(path)
        except FormatError as error:
            message = str(error)

    # Then the place and the problem are in Russian
    assert message == "bad.msp, запись 1 (строка 3): в строке пиков стоит 'abc' там, где должно быть число"
