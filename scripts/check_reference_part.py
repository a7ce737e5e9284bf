"""Check one part of the shipped reference substances (used while writing them; the product's own loader
and tests check the same and more).

    .venv/bin/python scripts/check_reference_part.py src/fdx/substances/data/reference/PART.csv

For every row: the SMILES parses; the InChIKey is computed; when the name or a synonym matches a compound of
../shared/data (SWGDRUG metadata, FAVES), the InChIKey's first block (the skeleton) must agree. Prints the
problems and a summary.
"""

import csv
import re
import sys
from pathlib import Path

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CLASSES = {
    "amphetamines", "cathinones", "synthetic_cannabinoids", "fentanyl_analogues", "nitazenes", "opioids",
    "benzodiazepines", "tryptamines", "phenethylamines", "arylcyclohexylamines", "piperazines", "lysergamides",
    "cannabinoids", "tropanes", "plant_based", "precursors", "adulterants", "sedatives", "other_stimulants",
    "aminoindanes", "other",
}
COLUMNS = ["key", "name_en", "name_ru", "synonyms", "smiles", "cas", "expected_class", "salt_of", "note"]


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def shared_index():
    index = {}
    meta = SHARED / "spectra" / "swgdrug_3.4_meta.tsv"
    with open(meta, encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if not row["inchikey"]:
                continue
            names = [row["name"]] + [s.strip() for s in row["synonyms"].split("|") if s.strip()]
            for name in names:
                index.setdefault(norm(name), set()).add(("SWGDRUG " + row["name"], row["inchikey"]))
    faves = SHARED / "substances" / "faves_v3_ground_truth.csv"
    with open(faves, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            mol = Chem.MolFromSmiles(row["smiles"])
            if mol is not None:
                index.setdefault(norm(row["name"]), set()).add(("FAVES " + row["name"], Chem.MolToInchiKey(mol)))
    return index


def cas_ok(cas: str) -> bool:
    if not re.fullmatch(r"\d{2,7}-\d{2}-\d", cas):
        return False
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    return sum(int(d) * (i + 1) for i, d in enumerate(reversed(body))) % 10 == check


def main(path: str) -> int:
    index = shared_index()
    problems, checked, rows = [], 0, 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            print(f"header must be exactly: {','.join(COLUMNS)}")
            return 1
        for row in reader:
            rows += 1
            line = reader.line_num
            mol = Chem.MolFromSmiles(row["smiles"])
            if mol is None:
                problems.append(f"line {line} {row['key']}: SMILES does not parse")
                continue
            key = Chem.MolToInchiKey(mol)
            for cls in filter(None, row["expected_class"].split("|")):
                if cls not in CLASSES:
                    problems.append(f"line {line} {row['key']}: unknown class {cls!r}")
            if row["cas"] and not cas_ok(row["cas"]):
                problems.append(f"line {line} {row['key']}: CAS {row['cas']} fails its check digit")
            if not row["name_ru"].strip():
                problems.append(f"line {line} {row['key']}: no Russian name")
            names = [row["name_en"]] + [s for s in row["synonyms"].split("|") if s.strip()]
            for name in names:
                for source, shared_key in index.get(norm(name), ()):
                    checked += 1
                    # Salts: compare the largest fragment.
                    parent = max(Chem.GetMolFrags(mol, asMols=True), key=lambda m: m.GetNumHeavyAtoms())
                    parent_key = Chem.MolToInchiKey(parent)
                    if shared_key.split("-")[0] not in (key.split("-")[0], parent_key.split("-")[0]):
                        problems.append(f"line {line} {row['key']}: name {name!r} matches {source} "
                                        f"{shared_key}, but the SMILES gives {key}")
    for problem in problems:
        print(problem)
    print(f"{rows} rows, {checked} name matches against shared data checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
