"""Build the starter EI library shipped with FDX from the MassBank EI records of ../shared/data.

    .venv/bin/python scripts/build_starter_library.py [MASSBANK_MSP] [OUTPUT_MSP]

Only records whose LICENSE is CC BY, CC BY-SA or CC0 are taken (never NC or ND licences: they forbid the
commercial or modified use a laboratory may make of FDX), each kept as MassBank published it, its accession
(DB#), contributor and authors (COMMENT) and licence with it. Of those, the compounds a drug laboratory meets
on its GC-MS besides the drugs themselves: cutting agents and diluents (sugars, sugar alcohols, organic
acids), precursors and reagents, and the common contaminants of a run (phthalate plasticisers, fatty acids,
siloxanes, solvents). MassBank's EI collection has no openly licensed spectrum of a controlled drug: those
come from the laboratory's own library (SWGDRUG, its reference standards).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO.parent / "shared" / "data" / "spectra" / "massbank_ei_dev.msp"
OUTPUT = REPO / "src" / "fdx" / "demo" / "data" / "starter_ei_library.msp"
OPEN_LICENCES = {"CC BY", "CC BY-SA", "CC0"}
LIMIT = 300

#: What a drug laboratory meets besides drugs, by name (MassBank's names, case-insensitive).
RELEVANT = re.compile(
    r"glucose|lactose|sucrose|mannitol|sorbitol|inositol|fructose|maltose|galactose|mannose|trehalose"
    r"|benzoic acid|salicyl|nicotin|citric acid|tartaric|succinic acid|fumaric|maleic acid|boric"
    r"|phthalate|phthalic|palmitic|stearic|oleic|myristic|lauric|hexadecanoic|octadecanoic|siloxane|squalene"
    r"|anthranil|piperidine|piperonal|safrole|phenylacet|benzaldehyde|benzyl alcohol|acetophenone|phenethyl"
    r"|indole|tryptamine|pyrrolidine|ephedr|methylamine|toluene|xylene|phenol|catechol|guaiacol|vanillin"
    r"|camphor|menthol|limonene|thymol|eugenol|coumarin|urea|creatinine|cholesterol|tocopherol|carbazole",
    re.IGNORECASE,
)
KEPT_FIELDS = ("NAME", "DB#", "INCHIKEY", "SMILES", "FORMULA", "INSTRUMENT_TYPE", "INSTRUMENT",
               "IONIZATION_ENERGY", "LICENSE", "COMMENT")  # fmt: skip


def records(text: str):
    """The records of a MassBank MSP export: (fields, peak lines)."""
    for block in re.split(r"\n\s*\n", text):
        fields, peaks = {}, []
        for line in block.strip().splitlines():
            if line[:1].isdigit():
                peaks.append(line.strip())
            elif ":" in line:
                key, value = line.split(":", 1)
                fields.setdefault(key.strip().upper(), value.strip())
        if fields.get("NAME") and peaks:
            yield fields, peaks


def chosen(text: str) -> list[tuple[dict, list[str]]]:
    """Openly licensed, structure-bearing, drug-laboratory-relevant records; one per compound and
    contributor, at most ``LIMIT``, in accession order."""
    picked, seen = [], set()
    for fields, peaks in records(text):
        if fields.get("LICENSE") not in OPEN_LICENCES:
            continue
        if not (fields.get("SMILES") and RELEVANT.search(fields["NAME"])):
            continue
        if "13C" in fields["NAME"] or "silyl" in fields["NAME"].lower():  # labelled standards, intermediates
            continue
        if fields.get("IONIZATION_ENERGY") not in (None, "", "70 eV"):  # unstated: the usual 70 eV
            continue
        contributor = fields.get("COMMENT", "").split(";")[0]
        if (fields.get("INCHIKEY") or fields["SMILES"], contributor) in seen:
            continue
        seen.add((fields.get("INCHIKEY") or fields["SMILES"], contributor))
        picked.append((fields, peaks))
    picked.sort(key=lambda item: item[0]["DB#"])
    return picked[:LIMIT]


def msp(picked) -> str:
    out = []
    for fields, peaks in picked:
        lines = [f"{key}: {fields[key]}" for key in KEPT_FIELDS if fields.get(key)]
        lines.append(f"Num Peaks: {len(peaks)}")
        out.append("\n".join(lines + peaks))
    return "\n\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    output = Path(argv[2]) if len(argv) > 2 else OUTPUT
    picked = chosen(source.read_text(encoding="utf-8"))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(msp(picked), encoding="utf-8")
    licences = {}
    for fields, _peaks in picked:
        licences[fields["LICENSE"]] = licences.get(fields["LICENSE"], 0) + 1
    print(f"{len(picked)} records written to {output}: {licences}")


if __name__ == "__main__":
    main(sys.argv)
