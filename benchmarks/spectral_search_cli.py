"""A file of many unknowns searched through the command line (``fdx spectra search FILE``, a subprocess, as
a chemist runs it), next to the same search in this process. Prints one JSON object.

The library is SWGDRUG 3.4 (about 3,000 EI spectra), imported through the import action into a fresh
database. The query file holds ``--queries`` spectra (100,000 by default): the MassBank EI development set's
records over and over, each copy's intensities jittered (±20 %, a seeded random), written as MSP to a
temporary folder (never kept). Three figures, in queries per second:

* ``cli``: ``fdx spectra search FILE --json`` in a subprocess, the whole of it: start-up, reading the file
  line by line, searching in blocks of ``--block``, writing the JSON of every hit to a file; with the
  subprocess's peak memory, and the same for a file of a tenth of the queries (memory stays flat: the
  blocks are the same size whatever the file's); ``cli_start_up_seconds`` is the search of a file of one
  spectrum (Django, the index, the libraries);
* ``in_process``: the code the command calls (``transfer.query_blocks`` and ``selectors.search``), without
  start-up and output;
* ``index_only``: the index's own batch search of the same queries, already on the nominal scale.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy

SHARED = Path(os.environ.get("FDX_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
SPECTRA = SHARED / "spectra"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=100_000, help="spectra in the query file")
    parser.add_argument("--block", type=int, default=1000, help="queries searched at once")
    parser.add_argument("--top", type=int, default=5, help="hits per query")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fdx-bench-cli-"))
    _django(folder)

    library_size = _library()
    big = _query_file(folder / "queries.msp", args.queries)
    small = _query_file(folder / "queries-tenth.msp", max(1, args.queries // 10))
    # The small file first: the peak memory of children is a running maximum, so the second figure is the
    # big file's own only when it is the larger.
    startup = _cli(_query_file(folder / "one.msp", 1), args, folder / "hits-one.json")["seconds"]
    cli_small = _cli(small, args, folder / "hits-tenth.json")
    cli = _cli(big, args, folder / "hits.json")
    in_process = _in_process(big, args)
    index_only = _index_only(big, args)
    print(
        json.dumps(
            {
                "library_spectra": library_size,
                "queries": args.queries,
                "query_file_mib": round(big.stat().st_size / 2**20, 1),
                "block": args.block,
                "top": args.top,
                "cli_start_up_seconds": startup,
                "cli": cli,
                "cli_tenth_of_the_queries": cli_small,
                "in_process": in_process,
                "index_only": index_only,
            },
            indent=2,
        )
    )


def _django(folder: Path) -> None:
    os.environ.update(
        {
            "FDX_VAR_DIR": str(folder),
            "FDX_ENV_FILE": os.devnull,
            "FDX_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "fdx.config.settings",
            "SECRET_KEY": "benchmark-" + "x" * 40,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        }
    )
    import django

    django.setup()


def _library() -> int:
    """SWGDRUG 3.4 imported into an international library of a fresh database; its search index built."""
    from django.core.management import call_command

    from fdx.core.actors import system
    from fdx.geo.actions import load_reference_geography
    from fdx.spectra import actions
    from fdx.spectra.index_store import rebuild_index
    from fdx.testing.personas import organisation

    call_command("migrate", verbosity=0)
    actor = system("benchmark")
    load_reference_geography(actor)
    owner = organisation("demo-kz-forensic-centre")
    data = actions.LibraryInput(name="SWGDRUG", version="3.4", distribution_level="international")
    library = actions.create_library(actor, data, organisation=owner)
    report = actions.import_spectra(actor, library, SPECTRA / "swgdrug_3.4.msp", skip_bad=True)
    rebuild_index()
    return report.imported


def _query_file(path: Path, count: int) -> Path:
    """``count`` MassBank EI records, repeated in turn, intensities jittered, as MSP."""
    from fdx.spectra.formats import read_spectra
    from fdx.spectra.formats.base import ParsedSpectrum
    from fdx.spectra.formats.msp import write_msp

    source = read_spectra(SPECTRA / "massbank_ei_dev.msp", skip_bad=True).spectra
    random = numpy.random.default_rng(2024)

    def jittered():
        for number in range(count):
            item = source[number % len(source)]
            intensity = item.intensity * random.uniform(0.8, 1.2, len(item.intensity))
            yield ParsedSpectrum(f"{item.name} #{number}", item.mz, numpy.round(intensity, 2), {})

    with path.open("w", encoding="utf-8") as stream:
        write_msp(jittered(), stream)
    return path


def _cli(path: Path, args, output: Path) -> dict:
    """``fdx spectra search`` in a subprocess: its rate and its peak memory."""
    command = [sys.executable, "-m", "fdx.cli", "spectra", "search", str(path), "--json"]
    command += ["--top", str(args.top), "--block", str(args.block)]
    started = time.perf_counter()
    with output.open("w") as stream:
        subprocess.run(command, stdout=stream, stderr=subprocess.DEVNULL, check=True)  # noqa: S603 (our own command)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with output.open() as stream:
        searched = len(json.load(stream))
    return {
        "queries": searched,
        "seconds": round(elapsed, 1),
        "qps": round(searched / elapsed),
        "peak_memory_mib": round(peak_kib / 1024),
    }


def _in_process(path: Path, args) -> dict:
    """The code the command calls, block by block, in this process."""
    from fdx.core.actors import system
    from fdx.spectra import selectors
    from fdx.spectra.index_store import current_index
    from fdx.spectra.transfer import query_blocks

    actor = system("benchmark")
    filters = selectors.SearchFilters(top=args.top)
    current_index()  # loaded once, as the command loads it at start-up
    started, searched = time.perf_counter(), 0
    for queries in query_blocks(path, None, args.block):
        searched += len(selectors.search(actor, queries, filters))
    elapsed = time.perf_counter() - started
    return {"queries": searched, "seconds": round(elapsed, 1), "qps": round(searched / elapsed)}


def _index_only(path: Path, args) -> dict:
    """The index's batch search of the same queries, parsed and on the nominal scale beforehand."""
    from fdx.spectra.index_store import current_index
    from fdx.spectra.science.index import SearchOptions
    from fdx.spectra.transfer import query_blocks

    index = current_index()
    blocks = [[query.nominal() for query in queries] for queries in query_blocks(path, None, args.block)]
    options = SearchOptions(top=args.top)
    started = time.perf_counter()
    for block in blocks:
        index.search(block, options)
    elapsed = time.perf_counter() - started
    searched = sum(len(block) for block in blocks)
    return {"queries": searched, "seconds": round(elapsed, 1), "qps": round(searched / elapsed)}


if __name__ == "__main__":
    main()
