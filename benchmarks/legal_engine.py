"""Legal status of N structures (default 100,000) in every jurisdiction on one day, with full explanations.

The structures are the listed structures and the reference substances, plus realistic analogues as new
psychoactive substances are made: an aromatic hydrogen replaced by F, Cl, Br, CH3, OCH3, CF3, NO2, OH or
C2H5, an N-H replaced by an alkyl, once and then again; one amine in five as a salt (hydrochloride,
hydrobromide, sulfate, hydrogen tartrate). Each is read and standardised (``Query.from_text``) and answered
in every jurisdiction (``Engine.assess_all``, every answer turned into its explanation with ``as_dict``):
in one process, then in a pool of processes. A sample is also answered by the naive loop — every listing
compared one by one, every generic rule compiled and run for each question with no fingerprint screen,
every similarity recomputed, nothing kept between jurisdictions — and the two must agree.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import resource
import sys
import time
from collections import Counter
from multiprocessing import get_context
from pathlib import Path

from rdkit import Chem, DataStructs, RDLogger

from fdx.legal.engine import generic
from fdx.legal.engine.engine import Engine
from fdx.legal.engine.esters import undone_skeletons
from fdx.legal.engine.structure import Query, _Facts
from fdx.substances import chem

sys.path.insert(0, str(Path(__file__).parent))

from substance_search import _django  # the same fresh database, SQLite or PostgreSQL

SUBSTITUENTS = ["F", "Cl", "Br", "C", "OC", "C(F)(F)F", "[N+](=O)[O-]", "O", "CC"]
N_ALKYLS = ["C", "CC", "CCC", "CC(C)"]
SALTS = ["Cl", "Br", "OS(=O)(=O)O", "O=C(O)[C@H](O)[C@@H](O)C(=O)[O-]"]
AMINE = "[NX3;!a;!$(N-[C,S]=[O,S,N]);!$(N-a)]"
CHUNK = 250

_ENGINE = None  # set before the pool forks: every worker answers with the engine compiled once
_CODES: list[str] = []
_DAY: datetime.date | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--structures", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--day", default="2024-06-01")
    parser.add_argument("--naive-sample", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    _django(args.database_url)
    from django.db import connection

    timings = {}
    snapshot = _compile(datetime.date.fromisoformat(args.day), timings)
    started = time.perf_counter()
    texts = _structures(snapshot, args.structures)
    timings["generate_s"] = round(time.perf_counter() - started, 1)
    sample = list(range(0, len(texts), max(1, len(texts) // args.naive_sample)))[: args.naive_sample]

    RDLogger.DisableLog("rdApp.*")
    _classify(texts[:20])  # compiles the rules and the day's indexes before timing (and before forking)
    single = _classify(texts, keep=set(sample))
    pool = _classify_in_pool(texts, args.processes)
    naive = _naive(snapshot, [texts[i] for i in sample])
    report = {"benchmark": "legal_engine", "database": connection.vendor, **_describe(texts), **timings}
    report.update(_compare(texts, sample, single, pool, naive))
    report.update(max_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    print(json.dumps({**report, "cpus": os.cpu_count()}, ensure_ascii=False))


def _compile(day: datetime.date, timings: dict):
    """Load the reference data into the fresh database and compile the engine from it (for this process
    and the workers it forks)."""
    from fdx.legal import selectors

    global _ENGINE, _CODES, _DAY
    started = time.perf_counter()
    _load_reference_data()
    timings["load_reference_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    snapshot = selectors.build_snapshot()
    _ENGINE, _CODES, _DAY = Engine(snapshot), list(snapshot.jurisdictions), day
    timings["compile_engine_s"] = round(time.perf_counter() - started, 2)
    return snapshot


def _describe(texts: list[str]) -> dict:
    return {
        "structures": len(texts),
        "salts": sum("." in text for text in texts),
        "jurisdictions": len(_CODES),
        "day": _DAY.isoformat(),
    }


def _compare(texts, sample, single, pool, naive) -> dict:
    """Rates, the speed-up over the naive loop on the same sample, agreement, and what the answers were."""
    engine_on_sample = {"parse_s": single["sample_parse_s"], "assess_s": single["sample_assess_s"]}
    agreeing = sum(
        single["kept"][i] == answers for i, answers in zip(sample, naive["explained"], strict=True)
    )
    return {
        "answers": single["answers"],
        "single_process": _rates(single, len(texts)),
        "pool": {"processes": pool["processes"], **_rates(pool, len(texts))},
        "naive_sample": {"structures": len(sample), **_rates(naive, len(sample))},
        "engine_on_the_same_sample": _rates(engine_on_sample, len(sample)),
        "speed_up_answering": round(naive["assess_s"] / single["sample_assess_s"], 1),
        "speed_up_end_to_end": round(
            (naive["parse_s"] + naive["assess_s"]) / (single["sample_parse_s"] + single["sample_assess_s"]), 1
        ),
        "naive_agreement": {"compared": len(sample), "identical": agreeing},
        "pool_agrees_with_single_process": (pool["tally"], pool["kinds"])
        == (single["tally"], single["kinds"]),
        "controlled": _by_outcome(single["tally"].items()),
        "by_jurisdiction": {
            code: _by_outcome((outcome, n) for (c, outcome), n in single["by_code"].items() if c == code)
            for code in _CODES
        },
        "basis_kinds": dict(sorted(single["kinds"].items())),
    }


def _by_outcome(counts) -> dict[str, int]:
    """Counts keyed "true", "none", "false" (controlled, undecided, not controlled)."""
    return {str(outcome).lower(): n for outcome, n in sorted(counts, key=lambda item: str(item[0]))}


def _load_reference_data() -> None:
    from django.core.management import call_command

    from fdx.accounts.roles import sync_roles
    from fdx.core.actors import system
    from fdx.geo.actions import load_reference_geography
    from fdx.legal.actions import load_legal_reference
    from fdx.substances.actions import load_reference_substances

    call_command("migrate", verbosity=0)
    sync_roles()
    actor = system("benchmark")
    load_reference_geography(actor)
    load_reference_substances(actor)
    load_legal_reference(actor)


# The structures


def _structures(snapshot, wanted: int) -> list[str]:
    """The listed structures and the reference substances, then their analogues, generation by generation:
    each structure of a generation gives its share of the next (its first variants, starting at a place that
    turns with it, so that the shares differ), until there are ``wanted``; one amine in five as a salt."""
    from fdx.substances.models import Substance

    seeds = [smiles for smiles in snapshot.entry_smiles.values() if smiles]
    seeds += list(Substance.objects.exclude(smiles="").order_by("pk").values_list("smiles", flat=True))
    found: dict[str, None] = {}
    generation = []
    for smiles in seeds:
        mol = Chem.MolFromSmiles(smiles)
        if mol is not None and mol.GetNumHeavyAtoms() <= 60 and Chem.MolToSmiles(mol) not in found:
            found[Chem.MolToSmiles(mol)] = None
            generation += [] if "." in smiles else [Chem.MolToSmiles(mol)]
    while len(found) < wanted and generation:
        share = -(-(wanted - len(found)) // len(generation))  # rounded up
        following = []
        for turn, parent in enumerate(generation):
            new = (v for v in _variants(Chem.MolFromSmiles(parent), turn) if v not in found)
            for smiles in itertools.islice(new, share):
                found[smiles] = None
                following.append(smiles)
            if len(found) >= wanted:
                break
        generation = following
    return _as_salts(list(found)[:wanted])


def _variants(mol, turn: int = 0):
    """The structure with one aromatic hydrogen replaced by a substituent, or one N-H by an alkyl: every
    such change, starting at the ``turn``-th."""
    changes = []
    for atom in mol.GetAtoms():
        aromatic_ch = atom.GetIsAromatic() and atom.GetSymbol() == "C" and atom.GetTotalNumHs() == 1
        amine_nh = atom.GetSymbol() == "N" and not atom.GetIsAromatic() and atom.GetTotalNumHs() > 0
        changes += [
            (atom.GetIdx(), g) for g in (SUBSTITUENTS if aromatic_ch else N_ALKYLS if amine_nh else ())
        ]
    start = turn % len(changes) if changes else 0
    for index, group in changes[start:] + changes[:start]:
        combined = Chem.RWMol(Chem.CombineMols(mol, Chem.MolFromSmiles(group)))
        combined.AddBond(index, mol.GetNumAtoms(), Chem.BondType.SINGLE)
        target = combined.GetAtomWithIdx(index)
        target.SetNumExplicitHs(max(0, target.GetNumExplicitHs() - 1))
        try:
            Chem.SanitizeMol(combined)
        except Exception:  # noqa: S112 (a substitution RDKit cannot sanitise is skipped)
            continue
        yield Chem.MolToSmiles(combined)


def _as_salts(texts: list[str]) -> list[str]:
    amine = Chem.MolFromSmarts(AMINE)
    salts = itertools.cycle(SALTS)
    result = []
    for index, text in enumerate(texts):
        mol = Chem.MolFromSmiles(text)
        salt = index % 5 == 0 and "." not in text and mol is not None and mol.HasSubstructMatch(amine)
        result.append(f"{text}.{next(salts)}" if salt else text)
    return result


# Answering


def _classify(texts: list[str], keep: set[int] = frozenset()) -> dict:
    """Read, standardise and answer every structure in every jurisdiction, with the explanations (those of
    the structures at the positions in ``keep`` are kept, with the time they took)."""
    result = _empty()
    for index, text in enumerate(texts):
        started = time.perf_counter()
        query = Query.from_text(text)
        parsed = time.perf_counter()
        explained = [answer.as_dict() for answer in _ENGINE.assess_all(query, _CODES, _DAY)]
        answered = time.perf_counter()
        result["parse_s"] += parsed - started
        result["assess_s"] += answered - parsed
        _tally(result, explained)
        if index in keep:
            result["kept"][index] = explained
            result["sample_parse_s"] += parsed - started
            result["sample_assess_s"] += answered - parsed
    return result


def _classify_in_pool(texts: list[str], processes: int) -> dict:
    """The same in forked worker processes, which share the engine compiled (and warmed) in this one."""
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    result = _empty()
    started = time.perf_counter()
    with get_context("fork").Pool(processes) as pool:
        for part in pool.imap_unordered(_classify, chunks):
            for key in ("parse_s", "assess_s", "answers"):
                result[key] += part[key]
            for key in ("tally", "by_code", "kinds"):
                result[key].update(part[key])
    result["wall_s"] = time.perf_counter() - started
    result["processes"] = processes
    return result


def _naive(snapshot, texts: list[str]) -> dict:
    """The sample answered by ``NaiveEngine``, one jurisdiction at a time."""
    naive = NaiveEngine(snapshot)
    result = _empty()
    for text in texts:
        generic._fits.cache_clear()  # nothing learnt about substituents carries over between structures
        started = time.perf_counter()
        query = Query.from_text(text)
        parsed = time.perf_counter()
        explained = [naive.assess(query, code, _DAY).as_dict() for code in _CODES]
        result["assess_s"] += time.perf_counter() - parsed
        result["parse_s"] += parsed - started
        _tally(result, explained)
        result["explained"].append(explained)
    return result


def _empty() -> dict:
    return {
        "parse_s": 0.0,
        "assess_s": 0.0,
        "answers": 0,
        "tally": Counter(),
        "by_code": Counter(),
        "kinds": Counter(),
        "kept": {},
        "explained": [],
        "sample_parse_s": 0.0,
        "sample_assess_s": 0.0,
    }


def _tally(result: dict, explained: list[dict]) -> None:
    result["answers"] += len(explained)
    for answer in explained:
        result["tally"][answer["controlled"]] += 1
        result["by_code"][(answer["jurisdiction"], answer["controlled"])] += 1
        result["kinds"].update(basis["kind"] for basis in answer["basis"])


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else 0.0


def _rates(result: dict, count: int) -> dict:
    """Structures per second: reading and standardising, answering in every jurisdiction (explanations
    included), and both. For a pool, end to end is by the clock (start-up and transfers included), and each
    phase is what the processes got through together (their busy time shared between them)."""
    share = result.get("processes", 1)
    rates = {
        "parse_per_s": round(_rate(count, result["parse_s"] / share), 1),
        "answer_all_jurisdictions_per_s": round(_rate(count, result["assess_s"] / share), 1),
        "end_to_end_per_s": round(_rate(count, (result["parse_s"] + result["assess_s"]) / share), 1),
    }
    if "wall_s" in result:
        rates.update(
            wall_s=round(result["wall_s"], 1), end_to_end_per_s=round(_rate(count, result["wall_s"]), 1)
        )
    return rates


class NaiveEngine(Engine):
    """The engine's rules applied the plain way: every listing compared one by one and every incorporation
    scanned, every generic rule compiled and run for each question without a fingerprint screen, every
    similarity computed for each question and jurisdiction, one listed structure at a time, nothing kept from
    one question to the next (only the listed structures' fingerprints are made once, when the data is read).
    It shares the engine's wording of answers, so that agreement checks the shortcuts, not the prose."""

    def __init__(self, snapshot):
        super().__init__(snapshot)
        self._fingerprints = super()._entry_fingerprints()

    def _facts(self, query):
        return _Facts(query, self._candidates(query))

    def _candidates(self, query):
        entries = self.snapshot.entries
        named = [
            e for key in query.substance_keys for e in entries if e.substance_key == key and not e.inchikey
        ]
        exact = [e for e in entries if e.inchikey and e.inchikey == query.inchikey]
        unspecified = not query.inchikey or query.inchikey.split("-")[1].startswith("UHFFFAOY")
        detail = (
            "the listed substance; the stereochemistry is not given"
            if unspecified
            else "a stereoisomer of the listed form"
        )
        candidates = [(e, "explicit", "") for e in named]
        candidates += [(e, "salt" if query.is_salt else "explicit", "") for e in exact]
        candidates += [
            (e, "stereoisomer", detail)
            for e in entries
            if e.inchikey and e.skeleton == query.skeleton and e not in exact and e not in named
        ]
        if query.parent is not None:
            for skeleton in sorted(undone_skeletons(query.parent) - {query.skeleton}):
                candidates += [
                    (e, "ester_ether", f"an ester or ether of {e.name}")
                    for e in entries
                    if e.inchikey and e.skeleton == skeleton
                ]
        return candidates

    def _incorporating(self, list_code, jurisdiction):
        return [
            i
            for i in self.snapshot.incorporations
            if i.incorporated_list == list_code and self.lists[i.national_list].jurisdiction == jurisdiction
        ]

    def _generic_match(self, facts, definition):
        return generic.CompiledRule(definition.rule).match(facts.query.parent)

    def _similarity_index(self, jurisdiction, day):
        self._similar_cache.clear()
        return super()._similarity_index(jurisdiction, day)

    def _similar(self, facts):
        fingerprint = chem.morgan_fingerprint(facts.query.parent)
        return [
            (i, DataStructs.TanimotoSimilarity(fingerprint, other))
            for i, other in enumerate(self._entry_fingerprints()[1])
        ]


if __name__ == "__main__":
    main()
