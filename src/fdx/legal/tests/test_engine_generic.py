"""The generic-definition matcher: every worked example shipped with a definition (in framework.json and as
loaded into the database) is run, and each substituent kind is pinned by a small case."""

import pytest
from rdkit import Chem

from fdx.legal.engine import generic
from fdx.legal.engine.structure import Query
from fdx.legal.reference import framework
from fdx.substances import chem

SHIPPED_EXAMPLES = [
    pytest.param(definition["rule"], example, id=f"{definition['code']}: {example['name']}")
    for definition in framework()["generic_definitions"]
    for example in definition["examples"]
]

# A parent model as Kazakhstan's decree describes it, small enough to reason about in each test.
PHENETHYLAMINES = {
    "parents": [{"name": "methamphetamine", "smiles": "CNC(C)Cc1ccccc1"}],
    "substituents": ["halide", "alkyl:1-4", "alkoxy:1-3", "hydroxy", "alkylenedioxy"],
}
DIMETHYLCATHINONES = {
    "parents": [{"name": "N-methylephedrone", "smiles": "CN(C)C(C)C(=O)c1ccccc1"}],
    "substituents": ["alkyl:1-8", "ring_on_nitrogen:2-6"],
}


def parent_of(smiles: str) -> Chem.Mol:
    """The standardised parent, as the engine matches it."""
    return Query.from_text(smiles).parent


@pytest.mark.parametrize(("rule", "example"), SHIPPED_EXAMPLES)
def test_every_shipped_worked_example_holds(rule, example):
    found = generic.match(rule, parent_of(example["smiles"]))

    assert (found is not None) == example["must_match"], found and found.explain()


@pytest.mark.django_db
def test_every_worked_example_in_the_database_holds():
    from fdx.legal.models import GenericExample

    examples = list(GenericExample.objects.select_related("definition"))
    wrong = [
        f"{e.definition.code}: {e.name} (must_match={e.must_match})"
        for e in examples
        if (generic.match(e.definition.rule, parent_of(e.smiles)) is not None) != e.must_match
    ]

    assert len(examples) == len(SHIPPED_EXAMPLES)
    assert wrong == []


@pytest.mark.parametrize(
    "rule",
    [
        definition["rule"]
        for definition in framework()["generic_definitions"]
        if "exclude" in definition["rule"]
    ],
)
def test_every_stereo_form_of_an_excepted_substance_is_excepted(rule):
    for excepted in rule["exclude"]:
        flat = parent_of(excepted["smiles"])
        for form in (flat, *_stereo_forms(flat)):
            assert generic.match(rule, form) is None, Chem.MolToSmiles(form)


def test_a_carbonyl_oxygen_is_not_a_hydroxyl():
    """Methcathinone has =O where methamphetamine has two hydrogens: no hydroxyl replaced one."""
    assert generic.match(PHENETHYLAMINES, parent_of("CNC(C)C(=O)c1ccccc1")) is None
    found = generic.match(PHENETHYLAMINES, parent_of("CNC(C)C(O)c1ccccc1"))  # ephedrine: a hydroxyl
    assert found.explain() == "derivative of methamphetamine: –O"


def test_a_ring_joining_the_two_groups_on_a_nitrogen_includes_the_nitrogen():
    found = generic.match(DIMETHYLCATHINONES, parent_of("CCCC(N1CCCC1)C(=O)c1ccccc1"))  # alpha-PVP

    assert found.explain() == "derivative of N-methylephedrone: –CC, –CC–"
    assert found.parent_skeleton == chem.skeleton_key(Query.from_text("CN(C)C(C)C(=O)c1ccccc1").inchikey)


def test_a_ring_on_a_carbon_is_not_a_ring_on_the_nitrogen():
    spiro = "CN(C)C1(CCCC1)C(=O)c1ccccc1"  # the alpha carbon closed into a cyclopentane

    assert generic.match(DIMETHYLCATHINONES, parent_of(spiro)) is None


def test_a_ring_closing_back_onto_one_nitrogen_is_a_ring_on_nitrogen():
    rule = {
        "parents": [{"name": "cathinone", "smiles": "NC(C)C(=O)c1ccccc1"}],
        "substituents": ["ring_on_nitrogen"],
    }

    found = generic.match(rule, parent_of("CC(N1CCCC1)C(=O)c1ccccc1"))  # alpha-PPP

    assert found.replacements == ("–CCCC–",)


def test_alkylenedioxy_bridges_two_ring_atoms():
    found = generic.match(PHENETHYLAMINES, parent_of("CNC(C)Cc1ccc2OCOc2c1"))  # MDMA

    assert found.replacements == ("–OCO–",)


def test_a_substituent_of_no_allowed_kind_is_no_derivative():
    assert generic.match(PHENETHYLAMINES, parent_of("CNC(C)Cc1ccc([N+](=O)[O-])cc1")) is None  # nitro
    assert generic.match(PHENETHYLAMINES, parent_of("CNC(C)Cc1ccc(CCCCC)cc1")) is None  # pentyl > alkyl:1-4


def test_the_parent_itself_is_no_derivative_of_itself():
    assert generic.match(PHENETHYLAMINES, parent_of("CNC(C)Cc1ccccc1")) is None


def test_a_parents_own_halogen_left_in_place_is_no_replacement():
    rule = {
        "parents": [{"name": "4-CMC", "smiles": "CNC(C)C(=O)c1ccc(Cl)cc1"}],
        "substituents": ["halide", "alkyl"],
    }

    assert generic.match(rule, parent_of("CNC(C)C(=O)c1ccc(Cl)cc1")) is None
    assert generic.match(rule, parent_of("CNC(C)C(=O)c1ccc(Br)cc1")).replacements == ("–Br",)
    assert generic.match(rule, parent_of("CCNC(C)C(=O)c1ccc(Cl)cc1")).replacements == ("–C",)


def test_max_replacements_limits_how_many_groups_change():
    rule = {**PHENETHYLAMINES, "max_replacements": 1}

    assert generic.match(rule, parent_of("CNC(C)Cc1ccc(F)cc1")) is not None
    assert generic.match(rule, parent_of("CNC(C)Cc1ccc(F)c(F)c1")) is None


def test_mapped_positions_allow_only_their_own_kinds():
    rule = framework_rule("gb-cathinones-2010")

    assert generic.match(rule, parent_of("CCC(NC)C(=O)c1ccccc1")) is not None  # alkyl at the 3-position
    assert generic.match(rule, parent_of("COC(NC)C(=O)c1ccccc1")) is None  # alkoxy is for the ring only


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"parents": [{"name": "x", "smiles": "CC"}], "substituents": ["sulfonyl"]}, "unknown substituent"),
        ({"parents": [{"name": "x", "smiles": "C1CC"}], "substituents": ["alkyl"]}, "invalid parent SMILES"),
        ({"any_of": ["[C"]}, "invalid SMARTS"),
        (
            {"any_of": ["CC"], "exclude": [{"name": "x", "smiles": "C("}]},
            "invalid SMILES among the exclusions",
        ),
        ({"threshold": 0.7}, "needs 'any_of'"),
    ],
)
def test_a_malformed_rule_is_refused_with_what_is_wrong(rule, message):
    with pytest.raises(generic.RuleError, match=message):
        generic.match(rule, parent_of("CCO"))


def test_a_pattern_fingerprint_screen_changes_no_answer():
    """The screen must never reject a structure that matches (over every listed structure and example)."""
    from fdx.legal.reference import shipped_listings

    structures = [row.smiles for row in shipped_listings() if row.smiles]
    structures += [e["smiles"] for d in framework()["generic_definitions"] for e in d["examples"]]
    parents = [parent_of(smiles) for smiles in structures]
    rules = [d["rule"] for d in framework()["generic_definitions"] if d["kind"] != "analogue_similarity"]
    matched = 0
    for rule in rules:
        for parent in parents:
            plain = generic.match(rule, parent)
            screened = generic.match(rule, parent, chem.pattern_fingerprint(parent))
            assert plain == screened, Chem.MolToSmiles(parent)
            matched += plain is not None

    assert matched > 20


def framework_rule(code: str) -> dict:
    return next(d["rule"] for d in framework()["generic_definitions"] if d["code"] == code)


def _stereo_forms(mol: Chem.Mol) -> list[Chem.Mol]:
    """Every assignment of the tetrahedral centres of ``mol`` (at most 8 centres)."""
    from rdkit.Chem.EnumerateStereoisomers import EnumerateStereoisomers, StereoEnumerationOptions

    flat = Chem.Mol(mol)
    Chem.RemoveStereochemistry(flat)
    return list(EnumerateStereoisomers(flat, options=StereoEnumerationOptions(maxIsomers=256)))
