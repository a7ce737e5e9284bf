"""The legal-status engine: each kind of basis, dates, incorporation, completeness and amounts — on small
hand-made snapshots where the rule is clearest, and on the shipped reference data for the real cases."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest

from fdx.legal.engine.data import (
    EntryInfo,
    GenericInfo,
    IncorporationInfo,
    ListInfo,
    Snapshot,
    ThresholdInfo,
)
from fdx.legal.engine.engine import Engine
from fdx.legal.engine.structure import Query

DAY = datetime.date(2024, 6, 1)
METHAMPHETAMINE = "CNC(C)Cc1ccccc1"
DEXTRO_METHAMPHETAMINE = "CN[C@@H](C)Cc1ccccc1"
LEVO_METHAMPHETAMINE = "CN[C@H](C)Cc1ccccc1"
MORPHINE = "CN1CC[C@]23[C@@H]4[C@H]1CC5=C2C(=C(C=C5)O)O[C@H]3[C@H](C=C4)O"
HEROIN = "CN1CC[C@]23[C@@H]4[C@H]1CC5=C2C(=C(C=C5)OC(C)=O)O[C@H]3[C@H](C=C4)OC(C)=O"
DIPROPANOYLMORPHINE = "CCC(=O)Oc1ccc2C[C@@H]3N(C)CC[C@]45[C@@H](Oc1c24)[C@@H](OC(=O)CC)C=C[C@@H]35"
PSILACETIN = "CC(=O)Oc1cccc2[nH]cc(CCN(C)C)c12"  # 4-AcO-DMT, the acetic ester of psilocin
DEXTROMETHORPHAN = "COc1ccc2c(c1)[C@]13CCCC[C@@H]1[C@H](C2)N(C)CC3"
LEVOMETHORPHAN = "CN1CC[C@]23CCCC[C@H]2[C@H]1Cc1ccc(OC)cc13"
RACEMETHORPHAN = "CN1CCC23CCCCC2C1Cc1ccc(OC)cc13"
MEPHEDRONE = "CNC(C)C(=O)c1ccc(C)cc1"
CAFFEINE = "Cn1cnc2c1c(=O)n(C)c(=O)n2C"


# Hand-made snapshots


def snapshot(*lists: ListInfo, complete=("XX",)) -> Snapshot:
    data = Snapshot(lists={item.code: item for item in lists})
    for item in lists:
        data.jurisdictions[item.jurisdiction] = item.jurisdiction
        data.complete[item.jurisdiction] = item.jurisdiction in complete
    return data


def a_list(code="XX-I", jurisdiction="XX", salts=True, stereo=True, esters=False, verified=True) -> ListInfo:
    return ListInfo(code, jurisdiction, code, salts, stereo, esters, verified)


def listed(data: Snapshot, list_code: str, name: str, smiles: str, start="1990-01-01", **fields) -> EntryInfo:
    """Add an entry for ``smiles`` to ``data`` (standardised as the loader does)."""
    query = Query.from_text(smiles) if smiles else None
    entry = EntryInfo(
        list_code=list_code,
        name=name,
        inchikey=query.inchikey if query else "",
        skeleton=query.skeleton if query else "",
        has_stereo=bool(query) and "-UHFFFAOYSA-" not in query.inchikey,
        effective_from=datetime.date.fromisoformat(start),
        effective_to=None,
        instrument=f"instrument of {list_code}",
        source_url="https://example.org/law",
        verified=True,
        entry_id=f"{list_code}:{name}",
        **fields,
    )
    data.entries.append(entry)
    if smiles:
        data.entry_smiles[entry.entry_id] = smiles
    return entry


def ask(data: Snapshot, smiles: str, jurisdiction="XX", day=DAY, **options):
    return Engine(data).assess(Query.from_text(smiles), jurisdiction, day, **options)


def kinds(answer) -> list[tuple[str, str, str]]:
    return [(b.list, b.kind, b.entry) for b in answer.basis]


def test_an_explicit_listing_controls_the_structure():
    data = snapshot(a_list())
    listed(data, "XX-I", "methamphetamine", METHAMPHETAMINE)

    answer = ask(data, METHAMPHETAMINE)

    assert answer.controlled is True
    assert answer.lists == ["XX-I"]
    assert kinds(answer) == [("XX-I", "explicit", "methamphetamine")]
    assert answer.as_dict()["basis"][0] == {
        "list": "XX-I",
        "kind": "explicit",
        "entry": "methamphetamine",
        "instrument": "instrument of XX-I",
        "effective_from": "1990-01-01",
        "source_url": "https://example.org/law",
        "verified": True,
        "detail": "",
        "date_uncertain": False,
        "stereo_uncertain": False,
    }


@pytest.mark.parametrize(("covers_salts", "controlled"), [(True, True), (False, False)])
def test_a_salt_is_controlled_only_where_the_list_covers_salts(covers_salts, controlled):
    data = snapshot(a_list(salts=covers_salts))
    listed(data, "XX-I", "methamphetamine", METHAMPHETAMINE)

    answer = ask(data, METHAMPHETAMINE + ".Cl")

    assert answer.controlled is controlled
    assert kinds(answer) == ([("XX-I", "salt", "methamphetamine")] if covers_salts else [])


def test_a_protonated_amine_is_the_listed_substance_itself():
    data = snapshot(a_list(salts=False))
    listed(data, "XX-I", "methamphetamine", METHAMPHETAMINE)

    answer = ask(data, "C[NH2+]C(C)Cc1ccccc1")

    assert answer.inchikey == Query.from_text(METHAMPHETAMINE).inchikey
    assert kinds(answer) == [("XX-I", "explicit", "methamphetamine")]


def test_another_stereo_form_is_a_stereoisomer_where_the_list_covers_them():
    data = snapshot(a_list())
    listed(data, "XX-I", "metamfetamine", DEXTRO_METHAMPHETAMINE)

    other_form = ask(data, LEVO_METHAMPHETAMINE)
    unspecified = ask(data, METHAMPHETAMINE)

    assert other_form.controlled is True
    assert [(b.kind, b.detail) for b in other_form.basis] == [
        ("stereoisomer", "a stereoisomer of the listed form")
    ]
    assert [(b.kind, b.detail) for b in unspecified.basis] == [
        ("stereoisomer", "the listed substance; the stereochemistry is not given")
    ]


def test_a_list_without_stereoisomers_controls_only_the_listed_form_unless_it_lists_none():
    data = snapshot(a_list(stereo=False))
    listed(data, "XX-I", "metamfetamine", DEXTRO_METHAMPHETAMINE)
    listed(data, "XX-I", "amfetamine", "CC(N)Cc1ccccc1")  # listed without stereo: every form

    assert ask(data, DEXTRO_METHAMPHETAMINE).controlled is True
    assert ask(data, LEVO_METHAMPHETAMINE).controlled is False
    assert kinds(ask(data, "C[C@H](N)Cc1ccccc1")) == [("XX-I", "stereoisomer", "amfetamine")]


@pytest.mark.parametrize(("covers_esters", "controlled"), [(True, True), (False, False)])
def test_an_ester_is_controlled_only_where_the_list_covers_esters_and_ethers(covers_esters, controlled):
    data = snapshot(a_list(esters=covers_esters))
    listed(data, "XX-I", "Morphine", MORPHINE)

    answer = ask(data, DIPROPANOYLMORPHINE)

    assert answer.controlled is controlled
    if covers_esters:
        assert [(b.kind, b.detail) for b in answer.basis] == [
            ("ester_ether", "an ester or ether of Morphine")
        ]


def test_an_ester_is_found_even_when_the_listed_structure_came_without_smiles():
    """The formula screen that spares most structures the ester search needs the listed SMILES; without
    them the engine searches unscreened rather than miss the ester."""
    data = snapshot(a_list(esters=True))
    listed(data, "XX-I", "Morphine", MORPHINE)
    data.entry_smiles.clear()

    assert kinds(ask(data, DIPROPANOYLMORPHINE)) == [("XX-I", "ester_ether", "Morphine")]


def test_an_exclusion_blocks_its_list_for_that_exact_structure():
    data = snapshot(a_list())
    listed(data, "XX-I", "Racemethorphan", RACEMETHORPHAN)
    listed(data, "XX-I", "Dextromethorphan (excepted)", DEXTROMETHORPHAN, is_exclusion=True)

    assert ask(data, DEXTROMETHORPHAN).controlled is False
    assert ask(data, DEXTROMETHORPHAN + ".Br").controlled is False
    assert kinds(ask(data, LEVOMETHORPHAN)) == [("XX-I", "stereoisomer", "Racemethorphan")]


def test_an_exclusion_whose_start_is_uncertain_leaves_the_answer_open_in_that_range():
    data = snapshot(a_list())
    listed(data, "XX-I", "Racemethorphan", RACEMETHORPHAN)
    listed(
        data,
        "XX-I",
        "Dextromethorphan (excepted)",
        DEXTROMETHORPHAN,
        start="2020-12-31",
        earliest_from=datetime.date(2020, 1, 1),
        is_exclusion=True,
    )

    before = ask(data, DEXTROMETHORPHAN, day=datetime.date(2019, 6, 1))
    within = ask(data, DEXTROMETHORPHAN, day=datetime.date(2020, 6, 1))
    after = ask(data, DEXTROMETHORPHAN, day=datetime.date(2021, 6, 1))

    assert before.controlled is True and after.controlled is False
    assert within.controlled is None and "exclusion" in within.basis[0].detail


def test_an_entry_counts_from_its_certain_date_and_is_uncertain_before_it():
    data = snapshot(a_list())
    listed(
        data, "XX-I", "mephedrone", MEPHEDRONE, start="2016-06-28", earliest_from=datetime.date(2015, 6, 30)
    )

    before = ask(data, MEPHEDRONE, day=datetime.date(2015, 6, 29))
    within = ask(data, MEPHEDRONE, day=datetime.date(2015, 6, 30))
    after = ask(data, MEPHEDRONE, day=datetime.date(2016, 6, 28))

    assert (before.controlled, before.basis) == (False, [])
    assert within.controlled is None
    assert within.basis[0].date_uncertain is True
    assert within.basis[0].detail == "the start is not recorded exactly: between 2015-06-30 and 2016-06-28"
    assert within.reason.startswith("a listing may or may not have been in force")
    assert after.controlled is True


def test_an_ended_entry_no_longer_controls():
    data = snapshot(a_list())
    entry = listed(data, "XX-I", "mephedrone", MEPHEDRONE)
    data.entries[-1] = replace(entry, effective_to=datetime.date(2020, 1, 1))

    assert ask(data, MEPHEDRONE, day=datetime.date(2020, 1, 1)).controlled is True
    assert ask(data, MEPHEDRONE, day=datetime.date(2020, 1, 2)).controlled is False


def incorporating(lag_days=None, start="2000-01-01", end=None) -> Snapshot:
    """A UN-like list with mephedrone (certain from 2016-06-28, possibly from 2015-06-30) and a national list
    of YY that incorporates it."""
    data = snapshot(a_list("UN-T", "UN"), a_list("YY-LIST", "YY"), complete=("UN", "YY"))
    listed(
        data, "UN-T", "mephedrone", MEPHEDRONE, start="2016-06-28", earliest_from=datetime.date(2015, 6, 30)
    )
    data.incorporations.append(
        IncorporationInfo(
            "YY-LIST",
            "UN-T",
            datetime.date.fromisoformat(start),
            datetime.date.fromisoformat(end) if end else None,
            lag_days,
            "YY law",
            "https://example.org/yy",
            True,
        )
    )
    return data


def test_a_national_list_answers_through_the_un_list_it_incorporates():
    answer = ask(incorporating(), MEPHEDRONE, "YY")

    assert answer.lists == ["YY-LIST"]
    basis = answer.basis[0]
    assert (basis.list, basis.kind, basis.entry, basis.effective_from) == (
        "YY-LIST",
        "explicit",
        "mephedrone",
        "2016-06-28",
    )
    assert (basis.detail, basis.instrument, basis.source_url) == (
        "through UN-T",
        "YY law",
        "https://example.org/yy",
    )


def test_an_incorporation_lag_delays_the_national_dates():
    data = incorporating(lag_days=90)

    uncertain = ask(data, MEPHEDRONE, "YY", day=datetime.date(2016, 9, 25))
    certain = ask(data, MEPHEDRONE, "YY", day=datetime.date(2016, 9, 26))
    not_yet = ask(data, MEPHEDRONE, "YY", day=datetime.date(2015, 9, 27))

    assert uncertain.controlled is None
    assert uncertain.basis[0].detail == (
        "through UN-T; the start is not recorded exactly: between 2015-09-28 and 2016-09-26"
    )
    assert (certain.controlled, certain.basis[0].effective_from) == (True, "2016-09-26")
    assert (not_yet.controlled, not_yet.basis) == (False, [])


def test_an_incorporation_counts_only_while_it_is_in_force():
    data = incorporating(start="2017-01-01", end="2020-12-31")

    assert ask(data, MEPHEDRONE, "YY", day=datetime.date(2016, 12, 31)).controlled is False
    assert ask(data, MEPHEDRONE, "YY", day=datetime.date(2017, 1, 1)).basis[0].effective_from == "2017-01-01"
    assert ask(data, MEPHEDRONE, "YY", day=datetime.date(2021, 1, 1)).controlled is False


def test_nothing_found_is_false_only_where_the_lists_are_complete():
    data = incorporating()
    data.complete["YY"] = False

    complete = ask(data, CAFFEINE, "UN")
    incomplete = ask(data, CAFFEINE, "YY")

    assert (complete.controlled, complete.reason) == (False, "")
    assert incomplete.controlled is None
    assert "not marked complete" in incomplete.reason


def test_an_analogue_clause_names_the_nearest_substances_in_force_and_decides_nothing():
    data = snapshot(a_list(), a_list("XX-ANALOGUES"))
    listed(data, "XX-I", "mephedrone", MEPHEDRONE)
    listed(data, "XX-I", "4-MEC", "CCNC(C)C(=O)c1ccc(C)cc1", start="2030-01-01")  # not yet in force
    data.generics.append(
        GenericInfo(
            "xx-analogues",
            "XX-ANALOGUES",
            "XX",
            "Analogues",
            "analogue_similarity",
            {"threshold": 0.5},
            datetime.date(2000, 1, 1),
            None,
            "XX law",
            "",
            False,
        )
    )

    answer = ask(data, "CNC(C)C(=O)c1ccc(CC)cc1")  # 4-EMC: 0.65 like mephedrone, 0.50 like 4-MEC

    assert answer.controlled is None
    assert answer.reason == "a possible analogue: only an expert can decide"
    assert [(b.list, b.kind) for b in answer.basis] == [("XX-ANALOGUES", "analogue_possible")]
    assert answer.basis[0].detail.startswith("nearest listed substances: mephedrone (0.")
    assert "4-MEC" not in answer.basis[0].detail


def test_a_structure_that_cannot_be_read_has_no_answer_but_the_reason():
    answer = ask(snapshot(a_list()), "C1CC(")

    assert answer.controlled is None
    assert "not valid SMILES" in answer.error
    assert answer.as_dict()["error"] == answer.error


def test_a_listing_without_a_structure_is_matched_by_its_substance_key():
    data = snapshot(a_list())
    listed(data, "XX-I", "Opium", "", substance_key="name:opium")

    answer = Engine(data).assess(Query.from_text("", substance_keys={"name:opium"}, label="opium"), "XX", DAY)

    assert (answer.input, answer.controlled, kinds(answer)) == (
        "opium",
        True,
        [("XX-I", "explicit", "Opium")],
    )


# The shipped reference data


@pytest.fixture(scope="module")
def engine(django_db_setup, django_db_blocker):
    """The engine over the reference data loaded for the test session, compiled once for this module (the
    tests that use it are marked ``django_db``, so that the session sets the database up)."""
    from fdx.legal import selectors

    with django_db_blocker.unblock():
        return Engine(selectors.build_snapshot())


def real(engine, smiles, jurisdiction="UN", day=DAY, amount_g=None):
    return engine.assess(Query.from_text(smiles), jurisdiction, day, amount_g)


@pytest.mark.django_db
def test_methamphetamine_hydrochloride_is_a_salt_of_the_listed_racemate(engine):
    answer = real(engine, METHAMPHETAMINE + ".Cl")

    assert answer.lists == ["UN-1971-II"]
    assert ("UN-1971-II", "salt", "metamfetamine racemate") in kinds(answer)


@pytest.mark.django_db
def test_heroin_is_listed_and_is_an_ester_of_morphine_under_schedule_i(engine):
    answer = real(engine, HEROIN + ".Cl")  # the parent of a salt has its rings perceived for the ester rules

    assert answer.lists == ["UN-1961-I", "UN-1961-IV"]
    assert ("UN-1961-I", "ester_ether", "Morphine") in kinds(answer)
    assert ("UN-1961-IV", "salt", "Heroin (diacetylmorphine)") in kinds(answer)


@pytest.mark.django_db
def test_an_unlisted_morphine_ester_is_controlled_through_schedule_i_which_covers_esters(engine):
    answer = real(engine, DIPROPANOYLMORPHINE)

    assert answer.controlled is True
    assert kinds(answer) == [("UN-1961-I", "ester_ether", "Morphine")]


@pytest.mark.django_db
def test_an_ester_of_a_1971_substance_is_not_controlled_as_the_1971_lists_cover_no_esters(engine):
    answer = real(engine, PSILACETIN)

    assert (answer.controlled, answer.basis) == (False, [])


@pytest.mark.django_db
def test_dextromethorphan_is_excepted_while_levomethorphan_and_racemethorphan_are_controlled(engine):
    assert real(engine, DEXTROMETHORPHAN).controlled is False
    assert real(engine, DEXTROMETHORPHAN + ".Br").controlled is False
    assert not [b for b in real(engine, DEXTROMETHORPHAN, "KZ").basis if b.list.startswith("KZ-LIST")]
    assert ("UN-1961-I", "explicit", "Levomethorphan") in kinds(real(engine, LEVOMETHORPHAN))
    assert ("UN-1961-I", "explicit", "Racemethorphan") in kinds(real(engine, RACEMETHORPHAN))


@pytest.mark.django_db
def test_mephedrone_added_by_the_cnd_in_2015_is_controlled_from_the_end_of_its_year_window(engine):
    before = real(engine, MEPHEDRONE, day=datetime.date(2014, 6, 1))
    within = real(engine, MEPHEDRONE, day=datetime.date(2015, 9, 1))
    after = real(engine, MEPHEDRONE, day=datetime.date(2016, 7, 1))

    assert before.controlled is False
    assert within.controlled is None
    assert [(b.list, b.date_uncertain) for b in within.basis] == [("UN-1971-II", True)]
    assert after.controlled is True
    assert after.basis[0].effective_from == "2016-06-28"


@pytest.mark.django_db
def test_kazakhstan_controls_mephedrone_through_the_un_schedule_it_incorporates(engine):
    answer = real(engine, MEPHEDRONE, "KZ", day=datetime.date(2016, 7, 1))

    assert answer.lists == ["KZ-LIST-II"]
    assert answer.basis[0].detail == "through UN-1971-II"


@pytest.mark.django_db
def test_turkmenistan_controls_old_un_entries_from_its_own_incorporation_date(engine):
    assert real(engine, METHAMPHETAMINE, "TM", day=datetime.date(2022, 12, 31)).controlled is None
    answer = real(engine, METHAMPHETAMINE, "TM", day=datetime.date(2023, 1, 1))

    assert answer.lists == ["TM-SANAW"]
    assert {b.effective_from for b in answer.basis} == {"2023-01-01"}


@pytest.mark.django_db
def test_un_lists_are_complete_and_national_lists_are_not(engine):
    query = Query.from_text(CAFFEINE)
    answers = {a.jurisdiction: a for a in engine.assess_all(query, ["UN", "KZ"], DAY)}

    assert answers["UN"].controlled is False
    assert answers["KZ"].controlled is None
    assert "not marked complete" in answers["KZ"].reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "category"),
    [
        ("0.2", "none"),
        ("0.21", "significant"),
        ("2.5", "significant"),
        ("2.6", "large"),
        ("501", "especially_large"),
    ],
)
def test_russian_amounts_of_mephedrone(engine, amount, category):
    answer = real(engine, MEPHEDRONE, "RU", amount_g=Decimal(amount))

    assert answer.amount_category["category"] == category
    assert answer.amount_category["threshold"] == "mephedrone (4-methylmethcathinone)"


@pytest.mark.django_db
def test_russian_amounts_of_heroin(engine):
    query = Query.from_text(HEROIN)

    found = engine.amount_category(query, "RU", DAY, Decimal("0.6"), decisive=[])

    assert (found["category"], found["threshold"]) == ("significant", "heroin (diacetylmorphine)")
    assert found["bounds"]["comparison"] == "above"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("smiles", "amount", "category", "named"),
    [
        ("CCNC(C)C(=O)c1ccc(C)cc1", "0.3", "significant", "mephedrone (4-methylmethcathinone)"),  # 4-MEC
        ("CCCC(N1CCCC1)C(=O)c1ccccc1", "1.5", "large", "N-methylephedrone"),  # alpha-PVP
    ],
)
def test_a_derivative_takes_the_amounts_of_the_substance_it_derives_from(
    engine, smiles, amount, category, named
):
    answer = real(engine, smiles, "RU", amount_g=Decimal(amount))

    assert [b.kind for b in answer.basis] == ["derivative"]
    assert (answer.amount_category["category"], answer.amount_category["threshold"]) == (category, named)


@pytest.mark.django_db
def test_kazakh_small_amount_of_mephedrone(engine):
    day = datetime.date(2025, 6, 1)

    assert real(engine, MEPHEDRONE, "KZ", day, Decimal("0.02")).amount_category["category"] == "small"
    assert real(engine, MEPHEDRONE, "KZ", day, Decimal("0.5")).amount_category["category"] == "unknown"


@pytest.mark.django_db
def test_an_amount_without_a_recorded_threshold_is_unknown(engine):
    answer = real(engine, METHAMPHETAMINE, "KZ", amount_g=Decimal("1"))

    assert answer.amount_category == {
        "category": "unknown",
        "reason": "no quantity threshold is recorded for this substance",
    }


@pytest.mark.django_db
def test_opium_is_matched_by_its_listing_without_a_structure(engine):
    query = Query.from_text("", substance_keys={"name:opium"}, label="opium")

    assert kinds(engine.assess(query, "UN", DAY)) == [("UN-1961-I", "explicit", "Opium")]


@pytest.mark.django_db
def test_answers_for_all_jurisdictions_at_once_are_those_asked_one_by_one(engine):
    codes = list(engine.snapshot.jurisdictions)
    for smiles in (HEROIN + ".Cl", MEPHEDRONE, "CCCC(N1CCCC1)C(=O)c1ccc(F)cc1", DEXTROMETHORPHAN, "C1CC("):
        together = engine.assess_all(Query.from_text(smiles), codes, DAY, Decimal("1"))
        # A new query for each question: nothing worked out for one jurisdiction is reused for the next.
        alone = [engine.assess(Query.from_text(smiles), code, DAY, Decimal("1")) for code in codes]

        assert [a.as_dict() for a in together] == [a.as_dict() for a in alone]


CODEINE = "CN1CC[C@]23[C@@H]4[C@H]1CC5=C2C(=C(C=C5)OC)O[C@H]3[C@H](C=C4)O"  # morphine 3-methyl ether
NOREPHEDRINE_1R2S = "C[C@H](N)[C@H](O)c1ccccc1"
EPHEDRINE_1S2R = "CN[C@H](C)[C@@H](O)c1ccccc1"  # the enantiomer of (1R,2S)-ephedrine


@pytest.mark.django_db
def test_codeine_is_in_schedule_ii_and_not_also_in_schedule_i_as_an_ether_of_morphine(engine):
    # "The esters and ethers, unless appearing in another Schedule" (1961, Schedule I)
    answer = real(engine, CODEINE)

    assert answer.lists == ["UN-1961-II"]
    assert all(kind != "ester_ether" for _list, kind, _entry in kinds(answer))


@pytest.mark.django_db
def test_a_1971_schedule_iii_entry_covers_no_other_stereoisomer(engine):
    # Cathine is (1S,2S)-norpseudoephedrine; (1R,2S)-norephedrine is another stereoisomer, which the
    # stereoisomer clause of Schedule I would reach but Schedule III has no such clause
    answer = real(engine, NOREPHEDRINE_1R2S)

    assert ("UN-1971-III", "stereoisomer", "Cathine") not in kinds(answer)
    assert "UN-1971-III" not in answer.lists


ISOLYSERGIC_ACID = "CN1C[C@H](C=C2[C@H]1Cc1c[nH]c3cccc2c13)C(=O)O"  # the C-8 epimer of lysergic acid
CATHINE = "C[C@H](N)[C@@H](O)c1ccccc1"  # (1S,2S)-norpseudoephedrine


@pytest.mark.django_db
def test_a_national_list_incorporating_table_i_adds_no_stereoisomer_coverage(engine):
    # The 1988 Table I covers no stereoisomers; Kazakhstan's list that incorporates it takes it as it is
    un = real(engine, ISOLYSERGIC_ACID)
    kz = real(engine, ISOLYSERGIC_ACID, "KZ")

    assert all(kind != "stereoisomer" for _list, kind, _entry in kinds(un) if _list.startswith("UN-1988"))
    assert not [b for b in kz.basis if b.kind == "stereoisomer" and "through UN-1988" in b.detail]


@pytest.mark.django_db
def test_the_name_ephedrine_designates_both_enantiomers_and_not_the_other_diastereomer(engine):
    # Table I has no stereoisomer clause, but "ephedrine" names the erythro diastereomer: (1S,2R)-ephedrine
    # is ephedrine too (through Kazakhstan's incorporation as well); pseudoephedrine is its own entry
    un = real(engine, EPHEDRINE_1S2R)
    kz = real(engine, EPHEDRINE_1S2R, "KZ")

    assert ("UN-1988-I", "stereoisomer", "Ephedrine") in kinds(un)
    assert "mirror image" in un.basis[[b.entry for b in un.basis].index("Ephedrine")].detail
    assert [b for b in kz.basis if b.entry == "Ephedrine" and "through UN-1988-I" in b.detail]
    pseudo = real(engine, "CN[C@@H](C)[C@@H](O)c1ccccc1")
    assert [(k, e) for _l, k, e in kinds(pseudo) if _l == "UN-1988-I"] == [("explicit", "Pseudoephedrine")]


@pytest.mark.django_db
def test_cathine_is_not_a_stereoisomer_of_norephedrine_under_table_i(engine):
    # The defect this guards against: a name listed without stereochemistry covered every stereoisomer, so
    # cathine came out as norephedrine under the 1988 Convention
    answer = real(engine, CATHINE)

    assert answer.lists == ["UN-1971-III"]
    assert all(entry != "Norephedrine" for _list, _kind, entry in kinds(answer))
    racemic = real(engine, "CC(N)C(O)c1ccccc1")  # phenylpropanolamine drawn without stereochemistry
    assert "UN-1988-I" in racemic.lists


def test_a_basis_resting_on_an_unverified_clause_is_not_verified():
    data = snapshot(a_list(salts=True, verified=False))
    listed(data, "XX-I", "methamphetamine", METHAMPHETAMINE)

    explicit = ask(data, METHAMPHETAMINE).basis[0]
    salt = ask(data, METHAMPHETAMINE + ".Cl").basis[0]

    assert explicit.verified is True
    assert salt.verified is False and "what XX-I covers is not verified" in salt.detail


def test_an_enantiomers_entry_covers_its_mirror_image_where_the_list_covers_no_stereoisomers():
    data = snapshot(a_list(stereo=False))
    listed(data, "XX-I", "(S)-methamphetamine", DEXTRO_METHAMPHETAMINE, stereo_scope="enantiomers")
    listed(data, "XX-I", "cathine", CATHINE)

    mirror = ask(data, LEVO_METHAMPHETAMINE)
    unspecified = ask(data, METHAMPHETAMINE)
    other = ask(data, "C[C@@H](N)[C@H](O)c1ccccc1")  # (1R,2R)-norpseudoephedrine, cathine's mirror image

    assert kinds(mirror) == [("XX-I", "stereoisomer", "(S)-methamphetamine")]
    assert mirror.basis[0].verified is True
    assert kinds(unspecified) == [("XX-I", "stereoisomer", "(S)-methamphetamine")]
    assert other.controlled is False


def _threshold(name, smiles, small, includes_derivatives=True):
    query = Query.from_text(smiles)
    return ThresholdInfo(
        "XX",
        name,
        query.inchikey,
        includes_derivatives,
        small,
        None,
        None,
        None,
        "above",
        "mixture",
        datetime.date(1990, 1, 1),
        None,
        "",
        "",
        True,
    )


def test_a_structures_own_threshold_wins_over_one_named_as_the_entry_it_is_listed_under():
    # Heroin is controlled as an ester of morphine; the table has a row for each: heroin's own applies,
    # whichever comes first in the table
    data = snapshot(a_list(esters=True))
    listed(data, "XX-I", "Morphine", MORPHINE)
    data.thresholds += [_threshold("Morphine", MORPHINE, 0.5), _threshold("Heroin", HEROIN, 0.001)]

    answer = ask(data, HEROIN, amount_g=Decimal("0.1"))

    assert answer.amount_category["threshold"] == "Heroin"
    assert answer.amount_category["category"] == "unknown"  # above the small amount; the rest is not known


def test_a_structure_without_stereochemistry_may_be_the_listed_form_so_the_answer_stays_open():
    # The list covers no stereoisomers and lists one form: a drawing without stereochemistry may be that
    # form or another, so a complete jurisdiction cannot say "not controlled"
    data = snapshot(a_list(stereo=False))
    listed(data, "XX-I", "(S)-methamphetamine", DEXTRO_METHAMPHETAMINE)

    answer = ask(data, METHAMPHETAMINE)

    assert answer.controlled is None and "without stereochemistry" in answer.reason
    assert answer.basis[0].stereo_uncertain is True and not answer.lists
    assert ask(data, LEVO_METHAMPHETAMINE).controlled is False  # the other form, given: not covered


def test_a_salt_of_a_stereoisomer_rests_on_the_salt_clause_too():
    data = snapshot(a_list(stereo=True, salts=True, verified=False))
    listed(data, "XX-I", "(S)-methamphetamine", DEXTRO_METHAMPHETAMINE)
    no_salts = snapshot(a_list(stereo=True, salts=False))
    listed(no_salts, "XX-I", "(S)-methamphetamine", DEXTRO_METHAMPHETAMINE)

    salt = ask(data, LEVO_METHAMPHETAMINE + ".Cl").basis[0]

    assert salt.kind == "stereoisomer" and salt.verified is False
    assert ask(no_salts, LEVO_METHAMPHETAMINE + ".Cl").controlled is False


def test_an_identity_without_a_structure_is_never_answered_not_controlled():
    # Only the InChIKey is known (a spectral hit): the esters, ethers and generic definitions cannot be
    # checked, so finding no listing decides nothing
    data = snapshot(a_list())
    listed(data, "XX-I", "methamphetamine", METHAMPHETAMINE)
    caffeine = Query.from_text(CAFFEINE)

    answer = Engine(data).assess(
        Query(text="hit", inchikey=caffeine.inchikey, skeleton=caffeine.skeleton), "XX", DAY
    )

    assert answer.controlled is None and "without a structure" in answer.reason


def test_a_structure_with_only_some_stereocentres_given_may_be_the_listed_form():
    # (1R,2S)-ephedrine listed alone, in a list without a stereoisomer clause: a drawing that fixes only
    # the amine carbon as ephedrine's may be ephedrine (or pseudoephedrine); one that fixes it the other
    # way cannot be
    data = snapshot(a_list(stereo=False))
    listed(data, "XX-I", "Ephedrine", "CN[C@@H](C)[C@H](O)c1ccccc1")

    may_be = ask(data, "CN[C@@H](C)C(O)c1ccccc1")
    cannot_be = ask(data, "CN[C@H](C)C(O)c1ccccc1")

    assert may_be.controlled is None and may_be.basis[0].stereo_uncertain
    assert cannot_be.controlled is False


def test_too_many_open_stereocentres_to_work_out_leave_the_answer_open():
    # 7 open centres (128 ways) are more than are worked out one by one: the listed form stays possible
    listed_form = "N[C@@H](C)[C@H](O)[C@H](O)[C@H](O)[C@H](O)[C@H](O)[C@H](O)[C@H](O)CO"
    data = snapshot(a_list(stereo=False))
    listed(data, "XX-I", "heptol", listed_form)

    answer = ask(data, "N[C@@H](C)C(O)C(O)C(O)C(O)C(O)C(O)C(O)CO")

    assert answer.controlled is None and answer.basis[0].stereo_uncertain


def test_a_registry_substance_without_a_structure_found_nowhere_is_not_controlled_where_lists_are_complete():
    data = snapshot(a_list())
    listed(data, "XX-I", "methamphetamine", METHAMPHETAMINE)

    answer = Engine(data).assess(Query.from_text("", substance_keys={"khat"}, label="khat"), "XX", DAY)

    assert answer.controlled is False


@pytest.mark.django_db
def test_lefetamine_is_the_levo_isomer_only(engine):
    # Schedule IV lists (-)-N,N-dimethyl-1,2-diphenylethylamine and has no stereoisomer clause
    levo = real(engine, "CN(C)[C@H](Cc1ccccc1)c1ccccc1")
    dextro = real(engine, "CN(C)[C@@H](Cc1ccccc1)c1ccccc1")
    undrawn = real(engine, "CN(C)C(Cc1ccccc1)c1ccccc1")

    assert levo.lists == ["UN-1971-IV"]
    assert dextro.controlled is False
    assert undrawn.controlled is None and undrawn.basis[0].stereo_uncertain
