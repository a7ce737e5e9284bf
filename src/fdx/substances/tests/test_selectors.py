import pytest
from django.core.exceptions import ValidationError

from fdx.substances import selectors

pytestmark = pytest.mark.django_db


def names(queryset, n=3):
    return [s.name_en for s in list(queryset)[:n]]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("мефедрон", "Mephedrone"),
        ("Мефедрон", "Mephedrone"),
        ("mefedron", "Mephedrone"),
        ("4-MMC", "Mephedrone"),
        ("mephedr", "Mephedrone"),
        ("героин", "Heroin"),
        ("альфа-PVP", "alpha-PVP"),
        ("α-PVP", "alpha-PVP"),
        ("фентанил", "Fentanyl"),
        ("1189805-46-6", "Mephedrone"),
        ("MYWUZJCMWCOHBA-UHFFFAOYSA-N", "Methamphetamine"),
    ],
)
def test_name_search_across_languages_and_spellings(query, first):
    assert names(selectors.search_by_name(query))[0] == first


def test_exact_names_rank_before_partial_ones():
    assert names(selectors.search_by_name("Amphetamine"), 1) == ["Amphetamine"]


def test_inchikey_first_block_finds_every_form():
    found = {s.key for s in selectors.search_by_inchikey("KWTSXDURSIMDCE")}

    assert {"amphetamine", "dexamfetamine", "levamfetamine", "amphetamine-sulfate"} <= found


def test_exact_structure_finds_base_and_salts_whatever_the_input_form():
    found = {s.key for s in selectors.search_exact_structure("C[NH2+]C(C)Cc1ccccc1.[Cl-]")}

    assert found == {"methamphetamine", "methamphetamine-hydrochloride"}


def test_substructure_search_finds_the_nitazenes():
    hits = selectors.search_substructure("c1ccc2c(c1)nc(Cc1ccccc1)n2CCN")

    assert {"isotonitazene", "metonitazene", "etonitazene"} <= {h.substance.key for h in hits}
    assert all("nitazenes" in {c.code for c in h.substance.classes.all()} for h in hits)


def test_similarity_search_ranks_by_tanimoto():
    hits = selectors.search_similar("CNC(C)C(=O)c1ccc(C)cc1", threshold=0.6)

    assert hits[0].substance.key in {"mephedrone", "mephedrone-hydrochloride"} and hits[0].score == 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score >= 0.6 for h in hits)


def test_bad_structure_queries_are_named():
    with pytest.raises(ValidationError) as error:
        selectors.search_substructure("[[[")
    assert "substructure" in error.value.message_dict
    with pytest.raises(ValidationError):
        selectors.search_similar("CCO", threshold=1.5)


def test_the_index_follows_changes_to_the_registry(persona):
    from fdx.substances.actions import SubstanceInput, create_substance

    before = len(selectors.structure_index())
    create_substance(persona("kz_lab_chemist"), SubstanceInput(name_en="Probe", structure="CCCCCCCCCCCCCCN"))

    assert len(selectors.structure_index()) == before + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Methamphetamine", "methamphetamine"),
        ("метамфетамин", "methamphetamine"),
        ("metamfetamin", "methamphetamine"),  # folds like (+)-methamphetamine too: the preferred name decides
        ("первитин", "methamphetamine"),
        ("мефедрон", "mephedrone"),  # SQLite folds ASCII case only, and English adds a final e
        ("Мефедрон", "mephedrone"),
        ("kofein", "caffeine"),
        ("кокаин", "cocaine"),
        ("амфетамин", "amphetamine"),
    ],
)
def test_resolve_substance_by_any_spelling_of_a_known_name(text, key):
    assert selectors.resolve_substance(text).key == key


@pytest.mark.django_db
def test_resolve_substance_never_decides_on_a_partial_name_but_offers_the_nearest():
    with pytest.raises(ValidationError) as refused:
        selectors.resolve_substance("mephedr")

    assert refused.value.code == "not_found"
    assert "Mephedrone" in refused.value.params["candidates"]
