import pytest
from django.core.exceptions import ValidationError

from fdx.substances import names as name_forms
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


def _rank(substance, text):
    """The rank the name search promises, worked out here from the names themselves (Latin texts only:
    SQLite compares case in ASCII only)."""
    key = name_forms.normalise(text)
    own = list(substance.names.all())
    if any(n.name.upper() == text.upper() for n in own) or text in {substance.cas_number, substance.inchikey}:
        return 0
    if any(n.normalised == key for n in own):
        return 1
    if any(n.normalised.startswith(key) for n in own):
        return 2
    return 3


def _ranking(text, code=None):
    key = name_forms.normalise(text)
    matching = [
        s
        for s in selectors.substances_queryset()
        if (
            s.cas_number == text
            or s.inchikey == text.upper()
            or any(key in n.normalised for n in s.names.all())
        )
        and (code is None or code in {c.code for c in s.classes.all()})
    ]
    return sorted(matching, key=lambda s: (_rank(s, text), s.name_en, s.pk))


@pytest.mark.parametrize(
    "text", ["hydrochloride", "amphetamine", "meth", "fentanyl", "4-MMC", "1189805-46-6"]
)
def test_name_search_ranks_every_match_and_each_page_is_cut_from_that_ranking(text):
    expected = _ranking(text)

    whole = selectors.search_by_name(text)
    assert [(s.pk, s.rank) for s in whole] == [(s.pk, _rank(s, text)) for s in expected]
    for start, stop in [(0, 1), (0, 5), (3, 8), (10, 30), (0, 50), (40, 90)]:
        page = selectors.search_by_name(text)[start:stop]  # a fresh search: a read one slices its rows
        assert [(s.pk, s.rank) for s in page] == [(s.pk, _rank(s, text)) for s in expected[start:stop]]
    assert selectors.search_by_name(text).count() == len(expected)
    if expected:
        assert selectors.search_by_name(text)[0].pk == expected[0].pk
        assert selectors.search_by_name(text).first().pk == expected[0].pk


def test_name_search_pages_mix_the_ranks():
    # "amphetamine" is a name (rank 0), the start of others ("Amphetamine sulfate", rank 2) and inside more
    # ("Methamphetamine", rank 3): a page must hold them in that order, by name within a rank.
    ranks = [s.rank for s in selectors.search_by_name("amphetamine")[:20]]

    assert ranks == sorted(ranks) and {0, 2, 3} <= set(ranks)


def test_name_search_filtered_further_pages_within_the_filter():
    expected = _ranking("hydrochloride", code="cathinones")
    found = selectors.search_by_name("hydrochloride").filter(classes__code="cathinones")

    # The cathinones come late by name among the hydrochlorides: a part's first rows are the filtered ones.
    assert len(expected) >= 2
    assert [s.pk for s in found[:2]] == [s.pk for s in expected[:2]]
    assert [s.pk for s in found.all()[1:3]] == [s.pk for s in expected[1:3]]
    assert [s.pk for s in found] == [s.pk for s in expected]


def test_name_search_reordered_or_counted_slices_every_match():
    by_name = sorted(_ranking("hydrochloride"), key=lambda s: (s.name_en, s.pk), reverse=True)
    found = selectors.search_by_name("hydrochloride")

    assert [s.pk for s in found.order_by("-name_en", "-pk")[:5]] == [s.pk for s in by_name[:5]]
    assert [s.pk for s in found.reverse()[:3]] == [s.pk for s in _ranking("hydrochloride")[::-1][:3]]
    assert found.order_by().values("pk")[:7].count() == 7


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
