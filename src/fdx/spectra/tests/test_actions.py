"""Changes to the spectral libraries: creating a library, importing a file (linking each spectrum to the
registry), withdrawing and relinking spectra."""

import pytest
from django.core.exceptions import ValidationError

from fdx.accounts.models import SharingGroup
from fdx.audit.models import AuditEvent
from fdx.spectra import actions, selectors
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.spectra.tests.builders import (
    COCAINE,
    METHAMPHETAMINE,
    UNDECYLAMINE_KEY,
    UNDECYLAMINE_SMILES,
    Record,
    imported_library,
    make_library,
    reference_msp,
    write_msp,
)
from fdx.substances.models import Substance
from fdx.testing.shared_data import shared_file

pytestmark = pytest.mark.django_db

ALL_LINKED = {"inchikey": 3, "name": 1, "created": 1, "created_without_structure": 1}


def kz_kg_group(persona):
    group = SharingGroup.objects.create(code="kz-kg-labs", name_en="KZ–KG laboratories", name_ru="КЗ–КГ")
    group.organisations.set([persona("kz_lab_head").organisation, persona("kg_lab_head").organisation])
    return group


def search_names(user, record: Record) -> list[str]:
    query = selectors.QuerySpectrum("unknown", record.mz, record.intensity)
    return [hit.spectrum.name for hit in selectors.search(user, [query])[0].hits]


# Libraries


def test_creating_a_library_is_audited(persona):
    head = persona("kz_lab_head")

    library = make_library(head, "Laboratory EI spectra", source="own measurements", licence="internal")

    assert (library.name, library.version, library.owner_organisation) == (
        "Laboratory EI spectra",
        "1",
        head.organisation,
    )
    assert (library.distribution_level, library.kind, library.created_by) == ("organisation", "ei_ms", head)
    event = AuditEvent.objects.get(action="spectra.library.created")
    assert (event.actor_username, event.organisation_code) == ("kz_lab_head", "demo-kz-forensic-centre")
    assert event.after["name"] == "Laboratory EI spectra"
    assert event.after["licence"] == "internal"
    assert event.after["distribution_level"] == "organisation"


def test_a_second_library_of_the_same_name_and_version_is_refused(persona):
    head = persona("kz_lab_head")
    make_library(head, "Laboratory EI spectra", version="2025")

    with pytest.raises(ValidationError) as refused:
        make_library(head, " Laboratory EI spectra ", version="2025 ")

    assert refused.value.message_dict == {
        "name": ["Your organisation already has a library of this name and version."]
    }
    assert SpectralLibrary.objects.filter(name="Laboratory EI spectra").count() == 1
    assert AuditEvent.objects.filter(action="spectra.library.created").count() == 1


def test_the_same_name_is_free_for_another_version_and_another_organisation(persona):
    make_library(persona("kz_lab_head"), "Laboratory EI spectra", version="2025")

    make_library(persona("kz_lab_head"), "Laboratory EI spectra", version="2026")
    make_library(persona("kg_lab_head"), "Laboratory EI spectra", version="2025")

    assert SpectralLibrary.objects.filter(name="Laboratory EI spectra").count() == 3


@pytest.mark.parametrize(
    ("level", "group", "message"),
    [
        ("sharing_group", None, "Name the sharing group."),
        ("sharing_group", "foreign", "Your organisation is not a member of this sharing group."),
        ("national", "own", "A sharing group is given only with the sharing-group distribution level."),
    ],
)
def test_sharing_group_rules(persona, level, group, message):
    own = kz_kg_group(persona)
    foreign = SharingGroup.objects.create(code="uz-only", name_en="UZ", name_ru="УЗ")
    foreign.organisations.set([persona("uz_police_analyst").organisation])
    chosen = {"own": own, "foreign": foreign, None: None}[group]

    with pytest.raises(ValidationError) as refused:
        make_library(persona("kz_lab_head"), level=level, sharing_group=chosen)

    assert refused.value.message_dict == {"sharing_group": [message]}
    assert not SpectralLibrary.objects.exists()


def test_a_library_shared_with_a_group_reaches_its_members(persona):
    group = kz_kg_group(persona)

    library = make_library(persona("kz_lab_head"), level="sharing_group", sharing_group=group)

    assert library.sharing_group == group
    assert list(selectors.libraries_for(persona("kg_lab_chemist"))) == [library]
    assert list(selectors.libraries_for(persona("uz_police_analyst"))) == []


def test_describing_a_library_records_only_what_changed(persona):
    head = persona("kz_lab_head")
    library = make_library(head, "Laboratory EI spectra")

    actions.update_library(
        head,
        library,
        actions.LibraryInput(name="Laboratory EI spectra", version="1", distribution_level="national"),
        reason="shared with the police",
    )

    library.refresh_from_db()
    assert library.distribution_level == "national"
    event = AuditEvent.objects.get(action="spectra.library.changed")
    assert (event.before, event.after) == (
        {"distribution_level": "organisation"},
        {"distribution_level": "national"},
    )
    assert event.reason == "shared with the police"


def test_renaming_a_library_onto_another_is_refused(persona):
    head = persona("kz_lab_head")
    make_library(head, "Laboratory EI spectra")
    other = make_library(head, "Purchased spectra")

    with pytest.raises(ValidationError) as refused:
        actions.update_library(head, other, actions.LibraryInput(name="Laboratory EI spectra", version="1"))

    assert refused.value.message_dict == {
        "name": ["Your organisation already has a library of this name and version."]
    }


# Importing


def test_import_links_every_spectrum_to_a_registry_substance(persona, tmp_path):
    head = persona("kz_lab_head")
    library = make_library(head)
    substances_before = Substance.objects.count()

    report = actions.import_spectra(head, library, reference_msp(tmp_path))

    assert (report.read, report.imported, report.already_present, report.skipped) == (6, 6, 0, [])
    assert report.links == ALL_LINKED
    assert report.linked_percent == 100.0
    assert report.substances_registered == {"with_structure": 1, "without_structure": 1}
    assert Substance.objects.count() == substances_before + 2
    rows = {s.record_id: s for s in Spectrum.objects.select_related("substance")}
    assert {
        k: (s.substance_link, s.substance.key) for k, s in rows.items() if k in ("T-1", "T-2", "T-3")
    } == {
        "T-1": ("inchikey", "methamphetamine"),
        "T-2": ("inchikey", "cocaine"),
        "T-3": ("name", "caffeine"),
    }
    from_smiles, from_names = rows["T-4"].substance, rows["T-6"].substance
    assert rows["T-4"].substance_link == "created"
    assert (from_smiles.name_en, from_smiles.smiles, from_smiles.inchikey) == (
        "Undecylamine",
        UNDECYLAMINE_SMILES,
        UNDECYLAMINE_KEY,
    )
    assert from_smiles.source == "spectral_library"
    assert rows["T-6"].substance_link == "created_without_structure"
    assert (from_names.name_en, from_names.smiles, from_names.inchikey) == ("FDX test compound 7", "", "")


def test_import_keeps_the_peaks_and_where_each_record_came_from(persona, tmp_path):
    head = persona("kz_lab_head")
    library = make_library(head)

    actions.import_spectra(head, library, reference_msp(tmp_path))

    meth = Spectrum.objects.get(record_id="T-1")
    mz, intensity = meth.peaks
    assert (mz.tolist(), intensity.tolist()) == (
        METHAMPHETAMINE.mz.tolist(),
        METHAMPHETAMINE.intensity.tolist(),
    )
    assert (meth.name, meth.inchikey, meth.formula, meth.retention_index) == (
        "Methamphetamine",
        "MYWUZJCMWCOHBA-UHFFFAOYSA-N",
        "C10H15N",
        1180.0,
    )
    assert (meth.peak_count, meth.source_file, meth.source_line, meth.created_by) == (
        10,
        "reference.msp",
        1,
        head,
    )
    assert [s.source_line for s in Spectrum.objects.order_by("id")] == [1, 18, 35, 48, 63, 78]


def test_replicates_of_one_compound_share_one_substance(persona, tmp_path):
    head = persona("kz_lab_head")
    library = make_library(head)

    actions.import_spectra(head, library, reference_msp(tmp_path))

    first, second = Spectrum.objects.get(record_id="T-4"), Spectrum.objects.get(record_id="T-5")
    assert first.name != second.name
    assert first.substance_id == second.substance_id
    assert (first.substance_link, second.substance_link) == ("created", "inchikey")
    assert Substance.objects.filter(inchikey=UNDECYLAMINE_KEY).count() == 1


def test_substances_registered_counts_only_new_substances(persona, tmp_path):
    # Given two suppliers' spectra of one new compound, each with only a SMILES, and a street sample of
    # methamphetamine named differently from the registry, with its SMILES
    head = persona("kz_lab_head")
    library = make_library(head)
    dodecanol = "CCCCCCCCCCCCO"
    records = [
        Record(
            "Dodecanol (supplier A)", ((31, 999), (43, 300), (55, 200)), (("DB#", "A"), ("SMILES", dodecanol))
        ),
        Record(
            "Dodecanol (supplier B)", ((31, 999), (43, 310), (55, 190)), (("DB#", "B"), ("SMILES", dodecanol))
        ),
        Record("Street sample 12", METHAMPHETAMINE.peaks, (("DB#", "C"), ("SMILES", "CNC(C)Cc1ccccc1"))),
    ]
    before = Substance.objects.count()

    # When they are imported
    report = actions.import_spectra(head, library, write_msp(tmp_path, "suppliers.msp", records))

    # Then one substance is registered, and the report says one (it says 3: with_structure counts every
    # record that reached _register, and the street sample is reported as "created" though it links to the
    # registry's methamphetamine)
    assert Substance.objects.count() == before + 1
    assert report.substances_registered == {"with_structure": 1, "without_structure": 0}
    assert Spectrum.objects.get(record_id="C").substance.key == "methamphetamine"
    assert Spectrum.objects.get(record_id="C").substance_link != "created"


def test_a_record_without_a_name_is_not_linked_by_its_position(persona, tmp_path):
    # Given two unrelated spectra without names, each the first record of its file
    head = persona("kz_lab_head")
    first, second = make_library(head, "A"), make_library(head, "B")
    before = Substance.objects.count()

    # When they are imported
    actions.import_spectra(head, first, write_msp(tmp_path, "one.msp", text="Num Peaks: 2\n58 999\n91 100\n"))
    actions.import_spectra(
        head, second, write_msp(tmp_path, "two.msp", text="Num Peaks: 2\n30 999\n44 100\n")
    )

    # Then neither is linked, and the registry gains no substance called "record 1" (today: both spectra
    # are linked to one new substance "record 1", the second "by name")
    assert list(Spectrum.objects.order_by("id").values_list("name", "substance_link")) == [
        ("record 1", "none"),
        ("record 1", "none"),
    ]
    assert Substance.objects.count() == before


def test_reimporting_the_same_file_adds_nothing(persona, tmp_path):
    head = persona("kz_lab_head")
    library = make_library(head)
    actions.import_spectra(head, library, reference_msp(tmp_path))
    substances = Substance.objects.count()

    again = actions.import_spectra(head, library, reference_msp(tmp_path))

    assert (again.read, again.imported, again.already_present) == (6, 0, 6)
    assert again.links == {}
    assert again.substances_registered == {"with_structure": 0, "without_structure": 0}
    assert Spectrum.objects.count() == 6
    assert Substance.objects.count() == substances


def test_import_is_audited(persona, tmp_path):
    head = persona("kz_lab_head")
    library = make_library(head)

    report = actions.import_spectra(head, library, reference_msp(tmp_path))

    event = AuditEvent.objects.get(action="spectra.import.done")
    assert event.actor_username == "kz_lab_head"
    assert event.object_id in (str(library.pk), str(library.global_id))
    assert event.after == {
        "library": "FDX test library 1",
        "file": "reference.msp",
        "sha256": report.sha256,
        "read": 6,
        "imported": 6,
        "already_present": 0,
        "skipped": 0,
        "links": ALL_LINKED,
        "linked_percent": 100.0,
        "substances_registered": {"with_structure": 1, "without_structure": 1},
        "linked_by_name": [{"record": "T-3", "name": "Caffeine", "substance": "Caffeine"}],
    }


GOOD = METHAMPHETAMINE.text()  # 16 lines; the next record starts on line 18
BAD_RECORDS = {
    "bad peak line": (
        "Name: Broken\nNum Peaks: 2\n58 999\n91 1x0\n",
        "bad.msp, record 2 (line 21): a peak line holds '1x0' where a number belongs",
    ),
    "Num Peaks mismatch": (
        "Name: Short\nNum Peaks: 3\n58 999\n91 120\n",
        "bad.msp, record 2 (line 19), field 'Num Peaks': says 3 peaks, 2 were given",
    ),
    "no peaks": ("Name: Empty\nNum Peaks: 0\n", "bad.msp, record 2 (line 18): the record has no peaks"),
}


@pytest.mark.parametrize("case", list(BAD_RECORDS))
def test_a_malformed_file_imports_nothing_and_names_the_place(persona, tmp_path, case):
    head = persona("kz_lab_head")
    library = make_library(head)
    bad, message = BAD_RECORDS[case]
    path = write_msp(tmp_path, "bad.msp", text=f"{GOOD}\n{bad}\n{COCAINE.text()}")

    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_spectra(head, library, path)

    assert refused.value.problems == [message]
    assert not Spectrum.objects.exists()
    assert not AuditEvent.objects.filter(action="spectra.import.done").exists()


def test_skip_bad_imports_the_good_records_and_reports_each_bad_one(persona, tmp_path):
    head = persona("kz_lab_head")
    library = make_library(head)
    broken, short, empty = (bad for bad, _message in BAD_RECORDS.values())
    path = write_msp(tmp_path, "bad.msp", text="\n".join([GOOD, broken, COCAINE.text(), short, empty]))

    report = actions.import_spectra(head, library, path, skip_bad=True)

    assert (report.read, report.imported) == (5, 2)
    assert report.skipped == [
        "bad.msp, record 2 (line 21): a peak line holds '1x0' where a number belongs",
        "bad.msp, record 4 (line 41), field 'Num Peaks': says 3 peaks, 2 were given",
        "bad.msp, record 5 (line 45): the record has no peaks",
    ]
    assert sorted(Spectrum.objects.values_list("name", flat=True)) == ["Cocaine", "Methamphetamine"]
    assert AuditEvent.objects.get(action="spectra.import.done").after["skipped"] == 3


def test_a_record_beyond_the_nominal_scale_is_refused_with_its_place(persona, tmp_path):
    head = persona("kz_lab_head")
    library = make_library(head)
    path = write_msp(tmp_path, "heavy.msp", text=f"{GOOD}\nName: Heavy\nNum Peaks: 1\n2500 100\n")

    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_spectra(head, library, path)

    assert refused.value.problems == [
        "heavy.msp, record 2 (line 18), field 'peaks': "
        "no peak with a positive intensity between m/z 1 and 2047"
    ]
    assert not Spectrum.objects.exists()


def test_first_records_of_swgdrug_with_its_identifier_table(persona, tmp_path):
    # Given the first 200 records of SWGDRUG 3.4 and the table of their InChIKeys and CAS numbers
    lines = shared_file("spectra/swgdrug_3.4.msp").read_text(encoding="latin-1").splitlines()
    start_of_201st = [i for i, line in enumerate(lines) if line.startswith("Name:")][200]
    path = tmp_path / "swgdrug-first-200.msp"
    path.write_text("\n".join(lines[:start_of_201st]) + "\n", encoding="utf-8")
    head = persona("kz_lab_head")
    library = make_library(head, "SWGDRUG", version="3.4")

    # When they are imported
    report = actions.import_spectra(
        head, library, path, identifiers=shared_file("spectra/swgdrug_3.4_meta.tsv")
    )

    # Then every record is in, each linked to a substance, and the first one finds itself
    assert (report.read, report.imported, report.already_present, report.skipped) == (200, 200, 0, [])
    assert sum(report.links.values()) == 200
    assert "none" not in report.links
    assert report.linked_percent == 100.0
    first = Spectrum.objects.get(library=library, record_id="314")
    assert (first.name, first.cas_number, first.peak_count) == ("Epiandrosterone", "481-29-8", 211)
    mz, intensity = first.peaks
    hit = selectors.search(head, [selectors.QuerySpectrum("q", mz, intensity)])[0].hits[0]
    assert (hit.spectrum, hit.score) == (first, 999.0)


# Curating


def test_withdrawing_needs_a_reason(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")

    with pytest.raises(ValidationError) as refused:
        actions.withdraw_spectrum(head, meth, reason="  ")

    assert refused.value.message_dict == {"reason": ["Say why the spectrum is withdrawn."]}
    meth.refresh_from_db()
    assert meth.withdrawn_at is None
    assert not AuditEvent.objects.filter(action="spectra.spectrum.withdrawn").exists()


def test_a_withdrawn_spectrum_never_appears_in_search_results(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")
    assert search_names(head, METHAMPHETAMINE)[0] == "Methamphetamine"

    actions.withdraw_spectrum(head, meth, reason="mislabelled: the spectrum is of amphetamine")

    meth.refresh_from_db()
    assert meth.withdrawn_at is not None
    assert meth.withdrawal_reason == "mislabelled: the spectrum is of amphetamine"
    assert "Methamphetamine" not in search_names(head, METHAMPHETAMINE)
    assert "Methamphetamine" not in search_names(persona("kz_lab_chemist"), METHAMPHETAMINE)
    assert len(search_names(head, METHAMPHETAMINE)) == 5
    event = AuditEvent.objects.get(action="spectra.spectrum.withdrawn")
    assert event.reason == "mislabelled: the spectrum is of amphetamine"
    with pytest.raises(ValidationError):
        actions.withdraw_spectrum(head, meth, reason="again")


def test_linking_a_spectrum_to_another_substance(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")
    amphetamine = Substance.objects.get(key="amphetamine")

    with pytest.raises(ValidationError) as refused:
        actions.link_spectrum(head, meth, amphetamine, reason="")
    linked = actions.link_spectrum(head, meth, amphetamine, reason="the library's record is mislabelled")

    assert refused.value.message_dict == {"reason": ["Say why the spectrum is linked to another substance."]}
    assert (linked.substance, linked.substance_link) == (amphetamine, "manual")
    meth.refresh_from_db()
    assert (meth.substance, meth.substance_link) == (amphetamine, "manual")
    event = AuditEvent.objects.get(action="spectra.spectrum.linked")
    assert event.reason == "the library's record is mislabelled"
    assert event.after["substance_link"] == "manual"
    assert event.before["substance_link"] == "inchikey"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "ids.tsv, line 1: the table is empty; its first line names the columns"),
        (
            "numéro\tnom\n1\tx\n".encode("latin-1"),
            "ids.tsv, line 1: no column is named inchikey, smiles, inchi or cas",
        ),
    ],
)
def test_a_bad_identifier_table_refuses_the_import_naming_it(persona, tmp_path, content, problem):
    head = persona("kz_lab_head")
    library = make_library(head)
    table = tmp_path / "ids.tsv"
    table.write_bytes(content)

    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_spectra(head, library, reference_msp(tmp_path), identifiers=table)

    assert refused.value.problems == [problem]
    assert not Spectrum.objects.exists()


# Linking: the record's structure first, names only without one


def test_swgdrug_links_by_full_structure_and_reports_every_name_link(persona):
    # Given the whole SWGDRUG 3.4 library with its table of InChIKeys (4 of its 2,988 records have none)
    head = persona("kz_lab_head")
    library = make_library(head, "SWGDRUG", version="3.4")
    table = shared_file("spectra/swgdrug_3.4_meta.tsv")
    without_structure = {
        line.split("\t")[0]
        for line in table.read_text(encoding="utf-8").splitlines()[1:]
        if not line.split("\t")[2]
    }

    # When it is imported
    report = actions.import_spectra(head, library, shared_file("spectra/swgdrug_3.4.msp"), identifiers=table)

    # Then pCPP is not phencyclidine (the search's folds made "pCPP" and "PCP" one name), HU-211 is not its
    # enantiomer HU-210, and PCP-d5 is not phencyclidine (a stereo/isotope-blind skeleton match)
    linked = {s.record_id: s for s in Spectrum.objects.filter(library=library).select_related("substance")}
    assert linked["600"].substance.name_en == "1-(4-Chlorophenyl)piperazine"
    assert linked["600"].substance_link != "name"
    assert linked["3754"].substance.key == "phencyclidine"
    assert linked["4285"].substance_id != linked["3754"].substance_id
    assert linked["595"].substance.key == "hu-210"
    assert linked["596"].substance_id != linked["595"].substance_id
    assert linked["596"].substance.name_en == "HU-211"
    # and only records without a structure were linked by name, every one of them reported
    by_name = {s.record_id for s in linked.values() if s.substance_link == "name"}
    assert by_name <= without_structure
    assert report.links.get("name", 0) == len(report.linked_by_name) == len(by_name)
    assert {link["record"] for link in report.linked_by_name} == by_name
    assert report.links["inchikey"] >= 400  # 458 on the reference registry of December 2026


def test_a_structure_decides_over_the_name_and_names_must_match_exactly(persona, tmp_path):
    # Given records named after registry substances: one with another compound's SMILES, one with a
    # salt's SMILES, one whose name folds onto "PCP" in search but is not it, and one named exactly
    head = persona("kz_lab_head")
    library = make_library(head)
    peaks = ((41, 300), (58, 999), (91, 120))
    records = [
        Record("Cocaine", peaks, (("DB#", "S-1"), ("SMILES", "CCCCCCCCCCCCCO"))),
        Record("Street powder", peaks, (("DB#", "S-2"), ("SMILES", "CNC(C)Cc1ccccc1.Cl"))),
        Record("pCPP", peaks, (("DB#", "S-3"),)),
        Record("CAFFEINE", peaks, (("DB#", "S-4"),)),
    ]

    # When they are imported
    report = actions.import_spectra(head, library, write_msp(tmp_path, "names.msp", records))

    # Then the structures decide, and only the exact name links, reported as such
    linked = {s.record_id: s for s in Spectrum.objects.select_related("substance")}
    assert linked["S-1"].substance.key != "cocaine"
    assert linked["S-1"].substance_link == "created"
    assert (linked["S-2"].substance.key, linked["S-2"].substance_link) == (
        "methamphetamine-hydrochloride",
        "inchikey",
    )
    assert linked["S-3"].substance_link == "created_without_structure"
    assert linked["S-3"].substance.name_en == "pCPP"
    assert (linked["S-4"].substance.key, linked["S-4"].substance_link) == ("caffeine", "name")
    assert report.linked_by_name == [{"record": "S-4", "name": "CAFFEINE", "substance": "Caffeine"}]
