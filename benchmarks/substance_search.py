"""Substructure and similarity search over a registry of N structures (default 100,000).

The registry holds the 611 reference substances plus realistic analogues: the parents of the reference set
and the MassBank EI compounds of ../shared/data, each with one aromatic hydrogen replaced by a common
substituent (F, Cl, Br, CH3, OCH3, CF3, NO2, OH, C2H5), as new psychoactive substances are made. Prints one
JSON object: the time to register them, to build the search index from the stored fingerprints, and the
latency of typical queries.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

SUBSTITUENTS = ["F", "Cl", "Br", "C", "OC", "C(F)(F)F", "[N+](=O)[O-]", "O", "CC"]
SUBSTRUCTURE_QUERIES = {
    "nitazene core": "c1ccc2c(c1)nc(Cc1ccccc1)n2CCN",
    "fentanyl core": "O=C(N(c1ccccc1)C1CCNCC1)",
    "cathinone core (SMARTS)": "[a][CX3](=O)[CX4][NX3]",
    "2C / NBOMe core": "COc1cc(CCN)c(OC)cc1",
    "indazole-3-carboxamide (SMARTS)": "[#6]-n1nc(C(=O)N)c2ccccc12",
    "benzene (1000 hits, the cap)": "c1ccccc1",
}
SIMILARITY_QUERIES = {
    "mephedrone": "CNC(C)C(=O)c1ccc(C)cc1",
    "isotonitazene": "CCN(CC)CCn1c(Cc2ccc(OC(C)C)cc2)nc2cc([N+](=O)[O-])ccc21",
    "fentanyl": "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--substances", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _django(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from fdx.accounts.roles import sync_roles
    from fdx.core.actors import system
    from fdx.substances import actions, selectors
    from fdx.substances.models import Substance

    call_command("migrate", verbosity=0)
    sync_roles()
    actor = system("benchmark")
    actions.load_reference_substances(actor)
    have = Substance.objects.count()
    started = time.perf_counter()
    wanted = args.substances - have
    # A few more than wanted: RDKit refuses some, and some standardise to the same parent.
    inputs = _analogues(set(Substance.objects.values_list("inchikey", flat=True)), int(wanted * 1.02) + 10)
    generated_s = time.perf_counter() - started
    started = time.perf_counter()
    with Pool(os.cpu_count() or 2) as pool:
        prepared = [item for item in pool.map(_prepare, inputs, chunksize=500) if item is not None]
    prepare_s = time.perf_counter() - started
    started = time.perf_counter()
    actions.register_prepared(actor, _unique(prepared)[:wanted])
    write_s = time.perf_counter() - started
    total = Substance.objects.count()

    started = time.perf_counter()
    index = selectors.structure_index()
    build_s = time.perf_counter() - started

    results = {
        "benchmark": "substance_search",
        "database": connection.vendor,
        "substances": total,
        "generate_s": round(generated_s, 1),
        "prepare_per_s": round(len(inputs) / prepare_s, 1),
        "write_per_s": round(len(prepared) / write_s, 1),
        "index_build_from_database_s": round(build_s, 2),
        "substructure_ms": {},
        "similarity_ms": {},
        "name_search_ms": {},
    }
    for label, query in SUBSTRUCTURE_QUERIES.items():
        timings, hits = _time(lambda q=query: selectors.search_substructure(q), args.repeat)
        results["substructure_ms"][label] = {"median": timings, "hits": hits}
    for label, query in SIMILARITY_QUERIES.items():
        timings, hits = _time(lambda q=query: selectors.search_similar(q, threshold=0.6), args.repeat)
        results["similarity_ms"][label] = {"median": timings, "hits_at_0.6": hits}
    # "analogue" is in every generated name: the first page of a text nearly every substance matches.
    for label in ("мефедрон", "fentanyl", "4-MMC", "analogue"):
        timings, hits = _time(lambda q=label: list(selectors.search_by_name(q)[:50]), args.repeat)
        results["name_search_ms"][label] = {"median": timings, "hits": hits}
    results["index_size"] = len(index)
    results["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, ensure_ascii=False))


def _time(call, repeat):
    call()  # warm (and, for the first query, the index)
    timings, hits = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
        hits = len(result)
    return round(statistics.median(timings), 2), hits


def _django(database_url: str) -> None:
    var_dir = tempfile.mkdtemp(prefix="fdx-bench-")
    os.environ.update(
        {
            "FDX_VAR_DIR": var_dir,
            "FDX_ENV_FILE": os.devnull,
            "FDX_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "fdx.config.settings",
        }
    )
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    if database_url:
        sys.path.insert(0, str(Path(__file__).parent))
        from audit_chain import _recreate_postgresql_database

        _recreate_postgresql_database(database_url)
    import django

    django.setup()


def _analogues(known: set[str], wanted: int) -> list:
    """Mono-substituted aromatic analogues of the reference parents and the MassBank compounds."""
    from rdkit import Chem, RDLogger

    from fdx.substances.actions import SubstanceInput
    from fdx.substances.models import Substance
    from fdx.testing.shared_data import shared_data_dir

    RDLogger.DisableLog("rdApp.*")
    seeds = list(Substance.objects.exclude(search_smiles="").values_list("search_smiles", flat=True))
    massbank = shared_data_dir() / "spectra" / "massbank_ei_dev.msp"
    if massbank.exists():
        seeds += re.findall(r"^SMILES: (.+)$", massbank.read_text(encoding="utf-8", errors="replace"), re.M)
    inputs, seen = [], set(known)
    for seed in dict.fromkeys(seeds):
        mol = Chem.MolFromSmiles(seed)
        if mol is None or mol.GetNumHeavyAtoms() > 60:
            continue
        for smiles in _substituted(mol):
            key = Chem.MolToInchiKey(Chem.MolFromSmiles(smiles)) if smiles else ""
            if key and key not in seen:
                seen.add(key)
                inputs.append(
                    SubstanceInput(
                        name_en=f"Analogue {len(inputs) + 1}", structure=smiles, structure_format="smiles"
                    )
                )
                if len(inputs) >= wanted:
                    return inputs
    return inputs


def _substituted(mol):
    from rdkit import Chem

    for atom in mol.GetAtoms():
        if atom.GetIsAromatic() and atom.GetSymbol() == "C" and atom.GetTotalNumHs() == 1:
            for group in SUBSTITUENTS:
                editable = Chem.RWMol(mol)
                fragment = Chem.MolFromSmiles(group)
                combined = Chem.RWMol(Chem.CombineMols(editable, fragment))
                combined.AddBond(atom.GetIdx(), mol.GetNumAtoms(), Chem.BondType.SINGLE)
                combined.GetAtomWithIdx(atom.GetIdx()).SetNumExplicitHs(0)
                try:
                    Chem.SanitizeMol(combined)
                    yield Chem.MolToSmiles(combined)
                except Exception:  # noqa: S112 (a substitution RDKit cannot sanitise is skipped)
                    continue


def _prepare(data):
    from fdx.substances import actions, chem

    try:
        item = actions.prepare(data)
    except chem.StructureError:
        return None
    return None if item.is_salt else item


def _unique(items):
    seen, unique = set(), []
    for item in items:
        if item.inchikey not in seen:
            seen.add(item.inchikey)
            unique.append(item)
    return unique


if __name__ == "__main__":
    main()
