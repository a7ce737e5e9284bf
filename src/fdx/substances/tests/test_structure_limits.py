"""Structures past FDX's size limits are refused before RDKit's recursive code sees them.

A straight chain of 18,000 carbons (under the 20,000-character input limit) overflowed the stack inside
RDKit's canonical SMILES and killed the process (SIGSEGV): ``fdx substances import``, ``fdx legal import``
and a web worker died. The subprocess tests below run the dangerous input through the real code path in a
thread with a small stack (256 KiB, as web workers may have), so that without the limits the child dies
by signal on any machine instead of pytest.
"""

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdkit import Chem

from fdx.substances import chem
from fdx.testing.child import run_in_small_stack

CHAIN = "C" * 18000  # a straight chain: 18,000 heavy atoms in 18,000 characters


def test_a_long_chain_is_refused_before_standardisation_in_a_subprocess(tmp_path):
    result = run_in_small_stack(
        f"""
        from fdx.substances import chem
        chem.standardise(chem.parse("C" * {len(CHAIN)}, "smiles"))
        """,
        tmp_path,
    )

    assert result["error"] == (
        f"StructureTooLarge: the structure has 18000 atoms; FDX accepts at most {chem.MAX_HEAVY_ATOMS}"
    )


def test_a_substance_csv_with_a_long_chain_is_refused_naming_file_line_and_field(tmp_path):
    (tmp_path / "huge.csv").write_text(f"name_en,smiles\nProbe,CCN\nChain,{CHAIN}\n", encoding="utf-8")

    result = run_in_small_stack(
        """
        from pathlib import Path
        from fdx.substances.transfer import read_substance_file
        parsed = read_substance_file(Path(sys.argv[1]) / "huge.csv")
        result["problems"] = [str(problem) for problem in parsed.problems]
        result["records"] = [record.name_en for record in parsed.records]
        """,
        tmp_path,
    )

    assert result["records"] == ["Probe"]
    assert result["problems"] == [
        f"huge.csv, line 3, field 'smiles': the structure has 18000 atoms; FDX accepts at most "
        f"{chem.MAX_HEAVY_ATOMS}"
    ]


def test_an_sdf_record_with_a_long_chain_is_refused_naming_the_record(tmp_path):
    atoms = 18000
    lines = ["chain", "  handmade", "", f"{atoms:>3}{atoms - 1:>3}  0  0  0  0  0  0  0  0999 V2000"]
    lines += [
        f"{i * 1.5:10.4f}    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0" for i in range(atoms)
    ]
    lines += [f"{i + 1:>3}{i + 2:>3}  1  0" for i in range(atoms - 1)]
    lines += ["M  END", "> <name_en>", "Chain", "", "$$$$", ""]
    # V2000's fixed columns cannot count past 999 atoms, so the chain that RDKit does read comes as V3000.
    v3000 = Chem.MolToV3KMolBlock(Chem.MolFromSmiles("C" * 2000), includeStereo=False)
    (tmp_path / "huge.sdf").write_text(
        "\n".join(lines) + v3000 + "> <name_en>\nChain2\n\n$$$$\n", encoding="utf-8"
    )

    result = run_in_small_stack(
        """
        from pathlib import Path
        from fdx.substances.transfer import read_substance_file
        parsed = read_substance_file(Path(sys.argv[1]) / "huge.sdf")
        result["problems"] = [str(problem) for problem in parsed.problems]
        result["records"] = len(parsed.records)
        """,
        tmp_path,
    )

    assert result["records"] == 0
    assert any("the structure has 2000 atoms; FDX accepts at most" in p for p in result["problems"])
    assert all(p.startswith("huge.sdf, line ") and "field 'structure'" in p for p in result["problems"])


def test_a_long_substructure_query_is_refused_in_a_subprocess(tmp_path):
    result = run_in_small_stack(
        """
        from fdx.substances import chem
        chem.parse_query("C" * 1999)
        """,
        tmp_path,
    )

    assert "the structure has 1999 atoms" in result["error"]


def test_many_parts_are_refused():
    with pytest.raises(chem.StructureTooLarge, match="243 separate parts; FDX accepts at most 20"):
        chem.parse(".".join(["O"] * 243), "smiles")


def test_many_rings_are_refused():
    ladder = Chem.RWMol()
    for _ in range(200):
        ladder.AddAtom(Chem.Atom(6))
    for index in range(199):
        ladder.AddBond(index, index + 1, Chem.BondType.SINGLE)
    for index in range(0, 2 * (chem.MAX_RINGS + 1), 2):
        ladder.AddBond(index, index + 3, Chem.BondType.SINGLE)

    with pytest.raises(chem.StructureTooLarge, match=f"{chem.MAX_RINGS + 1} rings; FDX accepts at most"):
        chem.parse(Chem.MolToSmiles(ladder), "smiles")


def test_an_inchi_is_bounded_by_its_formula_before_rdkit_reads_it():
    connections = "-".join(str(i) for i in range(1, 601))
    with pytest.raises(chem.StructureTooLarge, match="600 atoms"):
        chem.parse(f"InChI=1S/C600H1202/c{connections}/h1-600H2", "inchi")


def test_explicit_hydrogens_do_not_count_as_atoms():
    structure = chem.standardise(chem.parse("[H]C([H])([H])" + "C" * 498 + "O", "smiles"))

    assert structure.full.formula == "C499H1000O"


def test_the_largest_drugs_pass():
    cyclosporin = (
        "CC[C@H]1C(=O)N(CC(=O)N([C@H](C(=O)N[C@H](C(=O)N([C@H](C(=O)N[C@H](C(=O)N[C@@H](C(=O)N([C@H](C(=O)"
        "N([C@H](C(=O)N([C@H](C(=O)N([C@H](C(=O)N1)[C@@H]([C@H](C)C/C=C/C)O)C)C(C)C)C)CC(C)C)C)CC(C)C)C)C)C)"
        "CC(C)C)C)C(C)C)CC(C)C)C)C"
    )
    structure = chem.standardise(chem.parse(cyclosporin + "." + ".".join(["O"] * 10), "smiles"))

    assert structure.parent.formula == "C62H111N11O12"


def test_standardisation_stops_past_its_time_budget(monkeypatch):
    clock = iter(range(0, 1000, 10))  # every look at the clock is ten seconds later
    monkeypatch.setattr(chem.time, "monotonic", lambda: next(clock))

    with pytest.raises(chem.StructureTooLarge, match="longer than 5 seconds to standardise"):
        chem.standardise(chem.parse("CNC(C)Cc1ccccc1.Cl", "smiles"))


def _in_small_stack(function, *args):
    """``function(*args)`` in a thread of 256 KiB of stack, as a web worker may have; its exception raised
    here."""
    outcome = {}

    def work():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # handed to the caller
            outcome["error"] = exc

    previous = threading.stack_size(256 * 1024)
    try:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


SMILES_LIKE = st.text(alphabet="CNOSPFIclnos()[]=#-+123456789%.@/\\H*", max_size=400) | st.builds(
    lambda unit, times, glue: glue.join([unit] * times),
    st.sampled_from(["C", "c1ccccc1", "CC(=O)O", "[Na+]", "C1CC1", "O", "N"]),
    st.integers(1, 3000),
    st.sampled_from(["", ".", "C"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SMILES_LIKE)
def test_random_smiles_like_text_never_crashes_and_stays_within_the_limits(text):
    def read():
        try:
            return chem.standardise(chem.parse(text, "smiles"))
        except chem.StructureError:
            return None

    structure = _in_small_stack(read)

    if structure is not None:
        mol = Chem.MolFromSmiles(structure.full.smiles)
        assert mol.GetNumHeavyAtoms() <= chem.MAX_HEAVY_ATOMS
        assert len(Chem.GetMolFrags(mol)) <= chem.MAX_FRAGMENTS
