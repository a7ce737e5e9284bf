"""The shipped reference set: size, coverage, and structures checked against the shared real data."""

import csv
import re

import pytest

from fdx.substances import chem
from fdx.substances.reference import (
    ReferenceSubstanceError,
    cas_is_valid,
    read_file,
    reference_substances,
)
from fdx.testing.shared_data import shared_file

#: Reference substances for which the shared data holds a wrong structure, with the reason (checked by hand).
SHARED_DATA_ERRATA = {
    "mmda": "SWGDRUG 3.4 gives the InChIKey of MMDA-3a (2-methoxy-3,4-methylenedioxy) for MMDA",
    "5-meo-dalt": "SWGDRUG 3.4 gives the InChIKey of the indol-2-yl isomer for 5-MeO-DALT",
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def test_at_least_400_substances_with_english_and_russian_names():
    rows = reference_substances()

    assert len(rows) >= 400
    assert all(row.name_en and row.name_ru for row in rows)


@pytest.mark.parametrize(
    "key",
    [
        "methamphetamine",
        "amphetamine",
        "mdma",
        "mephedrone",
        "alpha-pvp",
        "heroin",
        "morphine",
        "codeine",
        "cocaine",
        "lsd",
        "caffeine",
        "paracetamol",
        "levamisole",
        "lidocaine",
        "procaine",
        "phenacetin",
        "xylazine",
        "mannitol",
        "alpha-phenylacetoacetonitrile",
        "methyl-alpha-phenylacetoacetate",
        "4-anilinopiperidine",
        "1-phenyl-2-nitropropene",
        "fentanyl",
        "isotonitazene",
        "etizolam",
        "5f-mdmb-pica",
        "ketamine",
        "psilocybin",
        "bzp",
        "2c-b",
        "25i-nbome",
    ],
)
def test_the_set_covers_what_the_region_sees(key):
    assert key in {row.key for row in reference_substances()}


def test_salts_point_at_their_base():
    rows = {row.key: row for row in reference_substances()}
    salt = rows["methamphetamine-hydrochloride"]

    assert salt.salt_of == "methamphetamine"
    assert salt.structure.base_conversion_factor == 0.8036


def test_every_cas_number_has_a_valid_check_digit():
    assert all(cas_is_valid(row.cas) for row in reference_substances() if row.cas)
    assert cas_is_valid("537-46-2") and not cas_is_valid("537-46-3")


def _shared_skeletons() -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    with open(shared_file("spectra/swgdrug_3.4_meta.tsv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["inchikey"]:
                for name in [row["name"], *row["synonyms"].split("|")]:
                    if name.strip():
                        index.setdefault(_norm(name), set()).add(chem.skeleton_key(row["inchikey"]))
    with open(shared_file("substances/faves_v3_ground_truth.csv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            inchikey = chem.identifiers(chem.parse(row["smiles"])).inchikey
            index.setdefault(_norm(row["name"]), set()).add(chem.skeleton_key(inchikey))
    return index


def test_structures_agree_with_the_shared_real_data():
    shared = _shared_skeletons()
    checked, disagreements = 0, []
    for row in reference_substances():
        if row.key in SHARED_DATA_ERRATA:
            continue
        ours = chem.skeleton_key(row.structure.parent.inchikey)
        for name in (row.name_en, *row.synonyms):
            skeletons = shared.get(_norm(name))
            if not skeletons:
                continue
            checked += 1
            if ours not in skeletons:
                disagreements.append(
                    f"{row.key}: {name!r} is {sorted(skeletons)} in the shared data, ours {ours}"
                )

    assert disagreements == []
    assert checked >= 500


def test_a_bad_row_is_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "key,name_en,name_ru,synonyms,smiles,cas,expected_class,salt_of,note\nx,X,Х,,C1CC,,,,\n",
        encoding="utf-8",
    )

    with pytest.raises(ReferenceSubstanceError, match=r"bad.csv, line 2, field 'smiles'"):
        read_file(path)
