"""A chemist imports a year of old results in a real Chromium: the file, checked in Russian, shows its
problems by row and column and what the laboratory's own file calls differently; the chemist saves a
mapping for them, imports the same file through it, and the runs read the same in English."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.browser.conftest import outside_requests

pytestmark = pytest.mark.browser

HEADERS = [
    "Номер дела лаборатории",
    "Дата изъятия",
    "Страна изъятия",
    "Обстоятельства изъятия",
    "Номер объекта",
    "Форма",
    "Вес нетто (мг)",
    "Дата поступления в лабораторию",
    "Вещество",
    "Содержание, %",
]
ROWS = [
    [
        "BR-IMP-1",
        "05.03.2023",
        "KZ",
        "internal",
        "1",
        "crystal",
        "10400",
        "06.03.2023",
        "метамфетамин",
        "72,5 %",
    ],
    ["BR-IMP-2", "07.03.2023", "KZ", "internal", "1", "powder", "950", "08.03.2023", "соль К", "95%"],
]


def test_a_chemist_checks_a_file_maps_what_differs_and_imports_it(signed_in, served_fdx, tmp_path_factory):
    page = signed_in("chemist", "ru")
    path = tmp_path_factory.mktemp("intake") / "архив-2023.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerows(ROWS)
    path.write_bytes(buffer.getvalue().encode("cp1251"))

    page.goto("/import/")
    assert page.locator("h1").inner_text() == "Импорт дел из файла"
    page.set_input_files("#id_file", str(path))
    page.click("#import-submit")  # "only check" is ticked by default
    page.wait_for_url(re.compile(r".*/import/runs/[0-9a-f-]+/$"))
    problems = page.locator("#problems").inner_text()
    assert "соль К" in problems and "3" in problems  # the second data row is the file's row 3
    assert "Вес нетто (мг)" in page.locator("#ignored-columns").inner_text()
    assert page.locator("#cases-written").inner_text() == "0"
    _screenshot(page, tmp_path_factory, "intake-checked-ru")

    page.click("#map-these")
    assert "соль К =" in page.locator("#id_substances").input_value()
    page.fill("#id_name", "old-lims")
    page.fill("#id_columns", "Вес нетто (мг) = net_mass_g")
    page.fill("#id_units", "net_mass_g = mg")
    page.fill("#id_substances", "соль К = мефедрон")
    _screenshot(page, tmp_path_factory, "intake-mapping-ru")
    page.click("#mapping-save")
    page.wait_for_url(re.compile(r".*/import/\?mapping=old-lims$"))

    page.set_input_files("#id_file", str(path))
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
    assert "old-lims" in english.locator("#mappings").inner_text()
    _screenshot(english, tmp_path_factory, "intake-runs-en")


def _screenshot(page, tmp_path_factory, name):
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / f"{name}.png"), full_page=True)
