import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdkit import Chem
from rdkit.Chem.MolStandardize import rdMolStandardize

from fdx.substances import chem

METHAMPHETAMINE = "CNC(C)Cc1ccccc1"


def test_identifiers_of_methamphetamine():
    ids = chem.identifiers(chem.parse(METHAMPHETAMINE))

    assert ids.inchikey == "MYWUZJCMWCOHBA-UHFFFAOYSA-N"
    assert ids.formula == "C10H15N"
    assert ids.average_mass == pytest.approx(149.237, abs=1e-3)
    assert ids.monoisotopic_mass == pytest.approx(149.120449, abs=1e-6)
    assert ids.inchi.startswith("InChI=1S/C10H15N/")


@pytest.mark.parametrize(
    ("salt", "factor", "count"),
    [
        ("CNC(C)Cc1ccccc1.Cl", 0.8036, 1),  # methamphetamine hydrochloride
        ("C[NH2+]C(C)Cc1ccccc1.[Cl-]", 0.8036, 1),  # the same, written as ions
        ("CC(N)Cc1ccccc1.CC(N)Cc1ccccc1.OS(=O)(=O)O", 0.7338, 2),  # amphetamine sulfate
        ("CNC(C)Cc1ccccc1", 1.0, 1),
    ],
)
def test_salts_relate_to_their_base_with_the_conversion_factor(salt, factor, count):
    structure = chem.standardise(chem.parse(salt))

    assert structure.parent.smiles == chem.identifiers(chem.parse(structure.parent.smiles)).smiles
    assert structure.parent.inchikey.startswith(("MYWUZJCMWCOHBA", "KWTSXDURSIMDCE"))
    assert structure.parent_count == count
    assert structure.base_conversion_factor == factor


def test_stereo_is_kept_by_standardisation():
    structure = chem.standardise(chem.parse("C[C@H](N)Cc1ccccc1.Cl"))  # dexamfetamine hydrochloride

    assert structure.parent.smiles == "C[C@H](N)Cc1ccccc1"
    assert structure.parent.inchikey == "KWTSXDURSIMDCE-QMMMGPOBSA-N"


def test_inchi_and_molfile_are_read():
    mol = chem.parse(METHAMPHETAMINE)
    from_inchi = chem.parse(Chem.MolToInchi(mol))
    from_molfile = chem.parse(Chem.MolToMolBlock(mol))

    assert (
        chem.identifiers(from_inchi).inchikey
        == chem.identifiers(from_molfile).inchikey
        == ("MYWUZJCMWCOHBA-UHFFFAOYSA-N")
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no structure"),
        ("C1CCC", "not valid SMILES"),
        ("C(C)(C)(C)(C)C", "not a valid structure"),
        ("InChI=1S/garbage", "could not be read"),
    ],
)
def test_bad_structures_are_explained(text, fragment):
    with pytest.raises(chem.StructureError, match=fragment):
        chem.parse(text)


def test_mesoionic_structures_survive_standardisation():
    structure = chem.standardise(chem.parse("CC(Cc1ccccc1)[N+]1=NOC(=C1)[N-]C(=O)Nc1ccccc1"))  # mesocarb

    assert structure.parent.formula == "C18H18N4O2"


def test_query_accepts_smarts():
    assert chem.parse_query("[NX3][CH2][CH2]c1ccccc1").GetNumAtoms() == 9
    with pytest.raises(chem.StructureError):
        chem.parse_query("[[[")


def test_fingerprints_round_trip_through_bytes():
    fingerprint = chem.morgan_fingerprint(chem.parse(METHAMPHETAMINE))

    assert chem.fingerprint_from_bytes(chem.fingerprint_bytes(fingerprint)) == fingerprint


def test_depiction_is_svg():
    svg = chem.depict_svg(METHAMPHETAMINE)

    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg


def _random_atom_order(mol, seed):
    import random

    order = list(range(mol.GetNumAtoms()))
    random.Random(seed).shuffle(order)
    return Chem.RenumberAtoms(mol, order)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [
            METHAMPHETAMINE,
            "CNC(C)C(=O)c1ccc(C)cc1",
            "C[C@H](N)Cc1ccccc1",
            "CCN(CC)C(=O)[C@H]1C=C2c3cccc4[nH]cc(c34)C[C@H]2N(C)C1",
        ]
    ),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["", ".Cl", ".Br", ".O"]),
)
def test_identifiers_do_not_depend_on_atom_order_or_counter_ion(smiles, seed, counter_ion):
    shuffled = Chem.MolToSmiles(_random_atom_order(Chem.MolFromSmiles(smiles), seed), canonical=False)

    structure = chem.standardise(chem.parse(shuffled + counter_ion))

    assert structure.parent.inchikey == chem.identifiers(chem.parse(smiles)).inchikey


# Every kind of step the clean-up may skip or must take: a plain base, salts, ions, a metal salt written
# covalently and as a neutral atom, nitro and N-oxide forms, a sulfoxide, a zwitterion, a mesoionic ring.
CLEAN_UP_CASES = [
    "CNC(C)Cc1ccccc1",
    "CNC(C)Cc1ccccc1.Cl",
    "C[NH2+]C(C)Cc1ccccc1.[Cl-]",
    "OC(=O)c1ccccc1O.[Na]",
    "O=C(O[Na])c1ccccc1",
    "CC(=O)[O-].[Na+]",
    "CN(=O)=O",
    "c1cc[n+]([O-])cc1",
    "CS(=O)c1ccccc1",
    "C[N+](C)(C)CC(=O)[O-]",
    "CC(N)Cc1ccccc1.CC(N)Cc1ccccc1.OS(=O)(=O)O",
    "O.O.CNC(C)Cc1ccccc1",
    "CC(Cc1ccccc1)[N+]1=NOC(=C1)[N-]C(=O)Nc1ccccc1",
    "[2H]C([2H])([2H])NC(C)Cc1ccccc1",
]


def _cleanup_by_rdkit(mol):
    """What the clean-up stands for: RDKit's own Cleanup, or the structure as given when Cleanup breaks it
    (a mesoionic ring)."""
    cleaned = rdMolStandardize.Cleanup(mol)
    return cleaned if chem._is_sound(cleaned) else mol


@pytest.mark.parametrize("smiles", CLEAN_UP_CASES)
def test_the_clean_up_gives_what_rdkit_cleanup_gives(smiles):
    mol = chem.parse(smiles)

    expected = _cleanup_by_rdkit(mol)

    assert Chem.MolToSmiles(chem._cleanup(mol)) == Chem.MolToSmiles(expected)


@pytest.mark.parametrize("smiles", CLEAN_UP_CASES)
def test_the_parent_alone_is_the_parent_of_the_full_standardisation(smiles):
    full = chem.standardise(chem.parse(smiles))

    lean = chem.standardise_parent(chem.parse(smiles))

    assert lean.inchikey == full.parent.inchikey
    assert Chem.MolToSmiles(lean.mol) == full.parent.smiles
    assert lean.is_salt_or_solvate == full.is_salt_or_solvate
