"""A chemist imports a year of old results in a real Chromium: the file checked in Russian shows its
problems by row and column, the corrected file is imported, and the run reads the same in English."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.browser.conftest import outside_requests

pytestmark = pytest.mark.browser

HEADERS_RU = [
    "Номер дела лаборатории",
    "Дата изъятия",
    "Страна изъятия",
    "Обстоятельства изъятия",
    "Номер объекта",
    "Форма",
    "Масса нетто, г",
    "Масса брутто, г",
    "Дата поступления в лабораторию",
    "Вещество",
    "Содержание, %",
]


def _file(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADERS_RU)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1251")


def test_a_chemist_checks_a_file_with_errors_corrects_it_and_imports_it(
    signed_in, served_fdx, tmp_path_factory
):
    page = signed_in("chemist", "ru")
    folder = tmp_path_factory.mktemp("intake")
    bad = folder / "архив-2023.csv"
    bad.write_bytes(
        _file(
            [
                [
                    "BR-IMP-1",
                    "05.03.2023",
                    "KZ",
                    "internal",
                    "1",
                    "crystal",
                    "10,4 г",
                    "12,8 г",
                    "06.03.2023",
                    "метамфетамин",
                    "72,5 %",
                ],
                [
                    "BR-IMP-2",
                    "07.03.2023",
                    "KZ",
                    "internal",
                    "1",
                    "powder",
                    "20",
                    "12,8",
                    "08.03.2023",
                    "порошок Х",
                    "95%",
                ],
            ]
        )
    )
    page.goto("/import/")
    assert page.locator("h1").inner_text() == "Импорт дел из файла"
    page.set_input_files("#id_file", str(bad))
    page.click("#import-submit")  # "only check" is ticked by default
    page.wait_for_url(re.compile(r".*/import/runs/[0-9a-f-]+/$"))

    problems = page.locator("#problems").inner_text()
    assert "порошок Х" in problems
    assert "3" in problems  # the second data row is the file's row 3
    assert "порошок Х" in page.locator("#unresolved").inner_text()
    assert page.locator("#cases-written").inner_text() == "0"
    _screenshot(page, tmp_path_factory, "intake-checked-ru")

    good = folder / "архив-2023-исправлен.csv"
    good.write_bytes(
        _file(
            [
                [
                    "BR-IMP-1",
                    "05.03.2023",
                    "KZ",
                    "internal",
                    "1",
                    "crystal",
                    "10,4 г",
                    "12,8 г",
                    "06.03.2023",
                    "метамфетамин",
                    "72,5 %",
                ],
                [
                    "BR-IMP-2",
                    "07.03.2023",
                    "KZ",
                    "internal",
                    "1",
                    "powder",
                    "10",
                    "12,8",
                    "08.03.2023",
                    "кофеин",
                    "95%",
                ],
            ]
        )
    )
    page.goto("/import/")
    page.set_input_files("#id_file", str(good))
    page.uncheck("#id_dry_run")
    page.click("#import-submit")
    page.wait_for_url(re.compile(r".*/import/runs/[0-9a-f-]+/$"))
    assert page.locator("#cases-written").inner_text() == "2"
    assert page.locator("#no-problems").is_visible()
    assert outside_requests(page, served_fdx) == []
    _screenshot(page, tmp_path_factory, "intake-imported-ru")

    english = signed_in("chemist", "en")
    english.goto("/import/")
    runs = english.locator("#runs").inner_text()
    assert "Imported" in runs and "Checked (dry run)" in runs
    _screenshot(english, tmp_path_factory, "intake-runs-en")


def _screenshot(page, tmp_path_factory, name):
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / f"{name}.png"), full_page=True)
