"""Properties of the engine over the shipped listings: the same substance written another way — atoms in
another order, as a salt, protonated, as another tautomer, in another stereo form — gets the answer the law
gives it, in every jurisdiction.

Structures are drawn from the listings with a structure; hypothesis draws the rewriting. The runs are
derandomised (the same examples on every run), so that a failure in CI is a failure on a laptop.
"""

import datetime
import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdkit import Chem
from rdkit.Chem.MolStandardize import rdMolStandardize

from fdx.legal.engine.engine import Engine
from fdx.legal.engine.structure import Query
from fdx.legal.reference import shipped_listings

DAY = datetime.date(2024, 6, 1)
COUNTER_IONS = [
    "Cl",
    "[Cl-]",
    "Br",
    "[Br-]",
    "OS(=O)(=O)O",  # sulfuric acid
    "OS(=O)(=O)[O-]",  # hydrogen sulfate
    "[O-]S(=O)(=O)[O-]",  # sulfate
    "O=C(O)[C@H](O)[C@@H](O)C(=O)[O-]",  # hydrogen tartrate
    "O=C(O)/C=C\\C(=O)O",  # maleic acid
    "CS(=O)(=O)O",  # methanesulfonic acid
    "O=P(O)(O)O",  # phosphoric acid
    "O",  # water of crystallisation
]
LARGEST_COUNTER_ION = (
    10  # heavy atoms of hydrogen tartrate: a listed structure must be larger to stay the parent
)

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _listed_structures() -> list[str]:
    """Canonical SMILES of the listed structures (one fragment, larger than every counter-ion)."""
    found = set()
    for row in shipped_listings():
        mol = Chem.MolFromSmiles(row.smiles) if row.smiles and not row.is_exclusion else None
        if mol is not None and "." not in row.smiles and mol.GetNumHeavyAtoms() > LARGEST_COUNTER_ION:
            found.add(Chem.MolToSmiles(mol))
    return sorted(found)


LISTED = _listed_structures()
WITH_STEREO = [smiles for smiles in LISTED if "@" in smiles]


@pytest.fixture(scope="module")
def engine(django_db_setup, django_db_blocker):
    from fdx.legal import selectors

    with django_db_blocker.unblock():
        return Engine(selectors.build_snapshot())


def answers(engine, smiles: str) -> dict:
    """The answer in every jurisdiction, by code."""
    query = Query.from_text(smiles)
    assert not query.error, query.error
    codes = list(engine.snapshot.jurisdictions)
    return dict(zip(codes, engine.assess_all(query, codes, DAY), strict=True))


@lru_cache(maxsize=512)
def _as_written(engine, smiles: str) -> dict:
    return answers(engine, smiles)


def as_listed(engine, smiles: str) -> dict:
    """The answers for the structure as the listing writes it (kept: each is asked many times)."""
    return _as_written(engine, smiles)


def bases(answer) -> dict[tuple[str, str], str]:
    """(list, entry) → kind."""
    return {(b.list, b.entry): b.kind for b in answer.basis}


@pytest.mark.django_db
@PROPERTY
@given(smiles=st.sampled_from(LISTED), data=st.data())
def test_the_order_of_atoms_changes_nothing(engine, smiles, data):
    mol = Chem.MolFromSmiles(smiles)
    order = data.draw(st.permutations(range(mol.GetNumAtoms())))
    rewritten = Chem.MolToSmiles(Chem.RenumberAtoms(mol, list(order)), canonical=False)

    for code, answer in answers(engine, rewritten).items():
        expected = as_listed(engine, smiles)[code].as_dict()
        assert {**answer.as_dict(), "input": smiles} == expected, code


@pytest.mark.django_db
@PROPERTY
@given(
    smiles=st.sampled_from(LISTED),
    ions=st.lists(st.sampled_from(COUNTER_IONS), min_size=1, max_size=3),
    position=st.integers(min_value=0, max_value=3),
)
def test_a_salt_is_controlled_as_a_salt_wherever_the_base_is(engine, smiles, ions, position):
    parts = list(ions)
    parts.insert(min(position, len(parts)), smiles)

    for code, answer in answers(engine, ".".join(parts)).items():
        base = as_listed(engine, smiles)[code]
        expected = {
            key: "salt" if kind == "explicit" and engine.lists[key[0]].covers_salts else kind
            for key, kind in bases(base).items()
            if kind != "explicit" or engine.lists[key[0]].covers_salts
        }
        assert bases(answer) == expected, code
        assert (answer.controlled, answer.lists) == (base.controlled, base.lists), code


@pytest.mark.django_db
@PROPERTY
@given(smiles=st.sampled_from(LISTED), data=st.data(), with_chloride=st.booleans())
def test_a_protonated_amine_is_the_substance_itself(engine, smiles, data, with_chloride):
    mol = Chem.MolFromSmiles(smiles)
    amines = [atom.GetIdx() for atom in mol.GetAtoms() if _is_amine(atom)]
    assume(amines)
    charged = Chem.RWMol(mol)
    nitrogen = charged.GetAtomWithIdx(data.draw(st.sampled_from(amines)))
    nitrogen.SetFormalCharge(1)
    nitrogen.SetNumExplicitHs(nitrogen.GetTotalNumHs() + 1)
    nitrogen.SetNoImplicit(True)
    Chem.SanitizeMol(charged)
    cation = Chem.MolToSmiles(charged)

    for code, answer in answers(engine, cation + (".[Cl-]" if with_chloride else "")).items():
        base = as_listed(engine, smiles)[code]
        assert (answer.controlled, answer.lists) == (base.controlled, base.lists), code
        assert set(bases(answer)) == set(bases(base)), code
        if not with_chloride:
            assert bases(answer) == bases(base), code


@pytest.mark.django_db
@PROPERTY
@given(smiles=st.sampled_from(LISTED), data=st.data())
def test_a_tautomer_with_the_same_standard_inchi_gets_the_same_answer(engine, smiles, data):
    """Standard InChI treats hydrogen moving between heteroatoms (amide and imidic acid, lactam and lactim)
    as one compound, so the engine must too; keto and enol forms are different compounds to InChI (and are
    not how a laboratory reports a substance)."""
    enumerator = rdMolStandardize.TautomerEnumerator()
    enumerator.SetMaxTautomers(16)
    tautomers = sorted(Chem.MolToSmiles(t) for t in enumerator.Enumerate(Chem.MolFromSmiles(smiles)))
    tautomer = data.draw(st.sampled_from(tautomers))
    assume(Query.from_text(tautomer).inchikey == Query.from_text(smiles).inchikey)

    for code, answer in answers(engine, tautomer).items():
        base = as_listed(engine, smiles)[code]
        assert (answer.controlled, answer.lists) == (base.controlled, base.lists), code
        assert bases(answer) == bases(base), code


@pytest.mark.django_db
@PROPERTY
@given(smiles=st.sampled_from(WITH_STEREO), change=st.sampled_from(["drop", "invert"]))
def test_another_stereo_form_is_a_stereoisomer_where_the_list_covers_them(engine, smiles, change):
    mol = Chem.MolFromSmiles(smiles)
    if change == "drop":
        Chem.RemoveStereochemistry(mol)
    else:
        for atom in mol.GetAtoms():
            atom.InvertChirality()
    variant = Query.from_text(Chem.MolToSmiles(mol))
    assume(not any(entry.is_exclusion for entry in engine.by_inchikey.get(variant.inchikey, [])))
    same_form = variant.inchikey == Query.from_text(smiles).inchikey

    for code, answer in answers(engine, Chem.MolToSmiles(mol)).items():
        base = as_listed(engine, smiles)[code]
        found = bases(answer)
        # through an incorporation, both the national and the incorporated list must cover stereoisomers
        covered = [
            b
            for b in base.basis
            if b.kind == "explicit"
            and all(
                engine.lists[code].covers_stereoisomers
                for code in [b.list, *re.findall(r"through (\S+)", b.detail)]
            )
        ]
        for basis in covered:
            assert found.get((basis.list, basis.entry)) == ("explicit" if same_form else "stereoisomer"), code
        if any(not b.date_uncertain for b in covered):
            assert answer.controlled is True, code


def _is_amine(atom: Chem.Atom) -> bool:
    """A neutral sp3 nitrogen with a free pair that is not an amide, sulfonamide or aniline-like nitrogen."""
    if atom.GetSymbol() != "N" or atom.GetFormalCharge() or atom.GetIsAromatic() or atom.GetDegree() > 3:
        return False
    if any(bond.GetBondType() != Chem.BondType.SINGLE for bond in atom.GetBonds()):
        return False
    for neighbour in atom.GetNeighbors():
        if neighbour.GetIsAromatic() or neighbour.GetSymbol() not in ("C",):
            return False
        if any(b.GetBondType() != Chem.BondType.SINGLE for b in neighbour.GetBonds()):
            return False
    return True
