"""The growth curve of FDX's pages and routes: one database grown through the demo loader to each size in
turn (10,000 → 100,000 → 1,000,000 cases, never reloaded from zero), and at each size the p50 and p95
latency, warm, of every API list route (first page with the common filters, its total counted every time:
the cache is emptied before each request; and page 100 reached by
following the ``next`` cursors, only the 100th request timed), the web list pages (first page and page 100
by their "Next" links), the detail pages (web and API: a case with many exhibits, examinations, findings
and attachments; an examination; a substance; a spectrum) and the export rate (CSV and JSON, rows/s), as
two readers: the head of a Kazakh laboratory (who sees the laboratory's own records) and an analyst of the
regional centre (who sees only what was shared). Each figure is set against the goal of issue 12 (p95 under
200 ms for lists, 100 ms for detail pages; exports at 20,000 rows/s) with pass or fail.

Prints one JSON document; ``--markdown FILE`` writes the same as a table. SQLite by default (a temporary
file); on PostgreSQL give ``--database-url`` (or FDX_BENCH_DATABASE_URL) a database of its own: it is dropped
and re-created, and VACUUM ANALYZEd after each load.

    PYTHONPATH=src python benchmarks/growth.py --sizes 10000,100000 --repeat 20
"""

from __future__ import annotations

import argparse
import datetime
import gc
import itertools
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field, replace

from bench_django import (
    DEMO_LAB,
    SEED,
    api_client,
    bench_user,
    percentiles,
    prepare_node,
    setup_django,
    web_client,
)

LIST_GOAL_MS = 200
DETAIL_GOAL_MS = 100
EXPORT_GOAL_ROWS_PER_S = 20_000
PAGE_DEPTH = 100
TEMPLATE_MARGIN = 100  # demo records generated past the last size, for the rich case's template


@dataclass
class Cell:
    """One measured route: what was asked, by whom, and how fast."""

    kind: str  # list | detail
    surface: str  # api | web
    route: str
    persona: str
    page: str = ""  # first | 100 (lists)
    filters: str = ""
    p50_ms: float | None = None
    p95_ms: float | None = None
    note: str = ""

    @property
    def goal_ms(self) -> int:
        return LIST_GOAL_MS if self.kind == "list" else DETAIL_GOAL_MS

    def as_dict(self) -> dict:
        passed = None if self.p95_ms is None else self.p95_ms < self.goal_ms
        row = {
            "kind": self.kind,
            "surface": self.surface,
            "route": self.route,
            "persona": self.persona,
            "page": self.page,
            "filters": self.filters,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "goal_p95_ms": self.goal_ms,
            "pass": passed,
        }
        if self.note:
            row["note"] = self.note
        return {key: value for key, value in row.items() if value != ""}


@dataclass
class Bench:
    repeat: int
    batch_size: int
    max_cases: int
    actor: object = None
    specs: object = None
    loaded: int = 0
    clients: dict = field(default_factory=dict)  # persona -> (api client, web client)
    targets: dict = field(default_factory=dict)

    # Set-up

    def prepare(self) -> None:
        """Migrate, reference data, the demo people and starter spectral library, the two readers."""
        from django.utils import timezone

        from fdx.demo.cases import _context, iter_generate

        self.actor = prepare_node(node_key=True, starter_library=True).actor
        # One stream of demo records for every size: each load takes the next records of the same stream, so
        # the database grows (unique case numbers) instead of being loaded again from zero.
        self.specs = iter_generate(
            _context(self.actor), cases=self.max_cases, seed=SEED, today=timezone.localdate()
        )
        readers = {
            "lab_head": (DEMO_LAB, "reviewer"),
            "regional_analyst": ("demo-regional-centre", "analyst"),
            "lab_admin": (DEMO_LAB, "org_admin"),  # the audit log is for administrators
        }
        for persona, (code, role) in readers.items():
            user, token = bench_user(self.actor, f"bench_{persona}", roles=[role], organisation=code)
            self.clients[persona] = (api_client(token), web_client(user))

    def grow_to(self, cases: int) -> dict:
        """Load the next demo cases through the bulk loader until the database holds ``cases``."""
        from fdx.examinations.bulk import load_cases_in_batches

        wanted = cases - self.loaded
        started = time.perf_counter()
        written = load_cases_in_batches(
            self.actor, itertools.islice(self.specs, wanted), batch_size=self.batch_size
        ).written
        seconds = time.perf_counter() - started
        self.loaded += written
        if not self.targets:
            self.targets = self._detail_targets()
        _analyze()
        _settle()
        return {"loaded_cases": written, "load_s": round(seconds, 1), "cases_per_s": round(written / seconds)}

    def _detail_targets(self) -> dict:
        """A regionally shared case with many exhibits, examinations, findings and attachments (built once,
        beside the demo cases); one of its examinations; the most frequent substance; a linked spectrum."""
        from django.db.models import Count

        from fdx.examinations.models import Case, Examination, Finding
        from fdx.spectra.models import Spectrum

        case = self._rich_case()
        examination = Examination.objects.filter(exhibit__case=case).order_by("pk").first()
        substance_id = (
            Finding.objects.values("substance").annotate(n=Count("pk")).order_by("-n").first()["substance"]
        )
        from fdx.substances.models import Substance

        spectrum = (
            Spectrum.objects.filter(substance__isnull=False).order_by("pk").first()
            or Spectrum.objects.first()
        )
        return {
            "case": str(case.global_id),
            "examination": str(examination.global_id),
            "substance": str(Substance.objects.get(pk=substance_id).global_id),
            "spectrum": str(spectrum.global_id),
            "case_exhibits": case.exhibits.count(),
            "case_findings": Finding.objects.filter(examination__exhibit__case=case).count(),
            "case_attachments": Case.objects.get(pk=case.pk).attachments.count(),
        }

    def _rich_case(self):
        """12 exhibits (each examined, with its findings) and 10 attachments, shared regionally."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from fdx.examinations.actions import attach_file
        from fdx.examinations.bulk import record_cases_in_bulk
        from fdx.examinations.models import Case

        template = next(spec for spec in self.specs if spec.owner.code == "demo-kz-forensic-centre")
        exhibits = [
            replace(exhibit, label=str(index + 1))
            for index, exhibit in enumerate(itertools.islice(itertools.cycle(template.exhibits), 12))
        ]
        spec = replace(template, reference="BENCH-RICH-1", distribution_level="regional", exhibits=exhibits)
        record_cases_in_bulk(self.actor, [spec])
        case = Case.objects.get(reference="BENCH-RICH-1")
        for index in range(10):
            upload = SimpleUploadedFile(f"page-{index}.pdf", b"%PDF-1.4\n" + os.urandom(2000))
            attach_file(template.examiner, case, upload, kind="report", description=f"Scan {index}")
        return case

    # Measuring

    def measure(self, cases: int) -> tuple[list[Cell], list[dict]]:
        cells = []
        for persona in ("lab_head", "regional_analyst"):
            cells += [self._api_list(persona, *route) for route in API_LISTS]
            cells += [self._api_deep(persona, *route) for route in API_DEEP]
            cells += [self._web_list(persona, *route) for route in WEB_LISTS]
            cells += [self._web_deep(persona, route) for route in WEB_DEEP]
            cells += [self._detail(persona, surface, name, path) for surface, name, path in DETAILS]
        cells += [self._api_list("lab_admin", *route) for route in AUDIT_LISTS]
        cells += [self._api_deep("lab_admin", "/audit/events", {})]
        cells += [self._web_list("lab_admin", "/audit/", {}), self._web_deep("lab_admin", "/audit/")]
        return cells, [self._export(file_format) for file_format in ("csv", "json")]

    def _timed(
        self, client, path: str, params: dict | None = None, cold: bool = False
    ) -> tuple[float, float]:
        """p50 and p95 of ``repeat`` requests after one warm-up; ``cold`` empties the cache before each
        (untimed), so that a first page's total is counted every time, never read from the minute's cache."""
        from django.core.cache import cache

        _get(client, path, params)  # warm: the token, the planner
        samples = []
        for _ in range(self.repeat):
            if cold:
                cache.clear()
            started = time.perf_counter()
            _get(client, path, params)
            samples.append((time.perf_counter() - started) * 1000)
        figures = percentiles(samples)
        return figures["p50_ms"], figures["p95_ms"]

    def _api_list(self, persona: str, route: str, filters: dict) -> Cell:
        cell = Cell("list", "api", route, persona, "first", _describe(filters))
        cell.p50_ms, cell.p95_ms = self._timed(
            self.clients[persona][0], "/api/v1" + route, {"limit": 50, **filters}, cold=True
        )
        return cell

    def _api_deep(self, persona: str, route: str, filters: dict) -> Cell:
        """Page 100: follow ``next`` 99 times, then time the request for the 100th page."""
        cell = Cell("list", "api", route, persona, str(PAGE_DEPTH), _describe(filters))
        client = self.clients[persona][0]
        params = {"limit": 50, "with_count": "false", **filters}
        for page in range(1, PAGE_DEPTH):
            following = _get(client, "/api/v1" + route, params).json()["next"]
            if not following:
                cell.note = f"the list has {page} pages"
                return cell
            params = {"limit": 50, "cursor": following, **filters}
        cell.p50_ms, cell.p95_ms = self._timed(client, "/api/v1" + route, params)
        return cell

    def _web_list(self, persona: str, route: str, filters: dict) -> Cell:
        cell = Cell("list", "web", route, persona, "first", _describe(filters))
        cell.p50_ms, cell.p95_ms = self._timed(self.clients[persona][1], route, filters, cold=True)
        return cell

    def _web_deep(self, persona: str, route: str) -> Cell:
        """Page 100 of a web list, reached by its "Next →" links as a reader would."""
        cell = Cell("list", "web", route, persona, str(PAGE_DEPTH))
        client = self.clients[persona][1]
        path = route
        for page in range(1, PAGE_DEPTH):
            found = NEXT_LINK.search(_get(client, path).content.decode())
            if not found:
                cell.note = f"the list has {page} pages"
                return cell
            link = found.group(1).replace("&amp;", "&")
            path = route + link if link.startswith("?") else link
        cell.p50_ms, cell.p95_ms = self._timed(client, path)
        return cell

    def _detail(self, persona: str, surface: str, name: str, path: str) -> Cell:
        cell = Cell("detail", surface, path.split("{")[0] + "{" + name + "}" + path.split("}")[-1], persona)
        url = path.format(**self.targets)
        cell.p50_ms, cell.p95_ms = self._timed(self.clients[persona][0 if surface == "api" else 1], url)
        return cell

    def _export(self, file_format: str) -> dict:
        """The whole findings export the head of laboratory may read, timed to its last byte."""
        client = self.clients["lab_head"][0]
        started = time.perf_counter()
        response = client.get(f"/api/v1/findings/export.{file_format}")
        if response.status_code != 200:
            raise RuntimeError(f"export {file_format}: {response.status_code}")
        rows = sum(block.count(b"\n") for block in response.streaming_content)
        rows -= 1 if file_format == "csv" else 2  # the header; the brackets of the array
        seconds = time.perf_counter() - started
        rate = round(rows / seconds)
        return {
            "route": f"/api/v1/findings/export.{file_format}",
            "persona": "lab_head",
            "rows": rows,
            "seconds": round(seconds, 2),
            "rows_per_s": rate,
            "goal_rows_per_s": EXPORT_GOAL_ROWS_PER_S,
            "pass": rate >= EXPORT_GOAL_ROWS_PER_S,
        }


#: (route, filters): the first page of every API list, plain and with the filters readers use.
API_LISTS = [
    ("/cases", {}),
    ("/cases", {"with_count": "false"}),
    ("/cases", {"q": "DEMO-KZ"}),
    ("/cases", {"substance_class": "cathinones"}),
    ("/cases", {"seized_from": "{year_ago}"}),
    ("/cases", {"country": "KZ"}),
    ("/cases", {"status": "approved"}),
    ("/examinations", {}),
    ("/examinations", {"status": "approved"}),
    ("/findings", {}),
    ("/findings", {"substance_class": "cathinones"}),
    ("/substances", {}),
    ("/substances", {"q": "meth"}),
    ("/substances", {"substance_class": "cathinones"}),
    ("/spectra", {}),
    ("/spectra", {"q": "caff"}),
    ("/spectral-libraries", {}),
]
#: The audit log, read by an organisation administrator.
AUDIT_LISTS = [("/audit/events", {}), ("/audit/events", {"action": "examinations.case.viewed"})]
#: Page 100 (by cursor) of the lists that grow.
API_DEEP = [
    ("/cases", {}),
    ("/cases", {"country": "KZ"}),
    ("/cases", {"substance_class": "cathinones"}),
    ("/examinations", {}),
    ("/findings", {}),
    ("/findings", {"substance_class": "cathinones"}),
    ("/substances", {}),
    ("/spectra", {}),
]
WEB_LISTS = [
    ("/cases/", {}),
    ("/cases/", {"q": "DEMO-KZ"}),
    ("/cases/", {"substance_class": "cathinones"}),
    ("/cases/", {"country": "KZ", "seized_from": "{year_ago}"}),
    ("/substances/", {}),
    ("/substances/", {"q": "meth"}),
    ("/spectra/libraries/", {}),
]
WEB_DEEP = ["/cases/", "/substances/"]
#: (surface, target, path): the detail pages, filled in from ``Bench.targets``.
DETAILS = [
    ("web", "case", "/cases/{case}/"),
    ("api", "case", "/api/v1/cases/{case}"),
    ("api", "case", "/api/v1/cases/{case}/exhibits"),
    ("api", "case", "/api/v1/cases/{case}/attachments"),
    ("web", "examination", "/cases/examinations/{examination}/"),
    ("api", "examination", "/api/v1/examinations/{examination}"),
    ("web", "substance", "/substances/{substance}/"),
    ("api", "substance", "/api/v1/substances/{substance}"),
    ("web", "spectrum", "/spectra/{spectrum}/"),
    ("api", "spectrum", "/api/v1/spectra/{spectrum}"),
]
#: The "Next →" link of the web pagination (a query string or a path).
NEXT_LINK = re.compile(r'<a href="([^"]*)"[^>]*>[^<]*→</a>')


def _get(client, path: str, params: dict | None = None):
    year_ago = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
    params = {key: str(value).replace("{year_ago}", year_ago) for key, value in (params or {}).items()}
    response = client.get(path, params)
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: {response.status_code} {response.content[:300]!r}")
    if response.streaming:
        for _ in response.streaming_content:
            pass
    return response


def _describe(filters: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in filters.items())


def _settle() -> None:
    """Free what the load left and freeze what stays, as ``fdx serve`` does in each worker once it has loaded
    FDX (``fdx.cli.server``): otherwise Python's full collections rescan the long-lived objects every few
    requests, and those pauses (about 120 ms) read as the routes' p95."""
    gc.collect()
    gc.freeze()


def _analyze() -> None:
    """Fresh planner statistics for the whole database after a load (PostgreSQL and SQLite alike); on
    PostgreSQL a VACUUM too, as a node's autovacuum keeps it: otherwise autovacuum visits the freshly
    loaded tables while the routes are timed, and its pauses read as the routes' p95; and a CHECKPOINT, as
    PostgreSQL's guide to bulk loading advises: otherwise the checkpoint that the load's gigabytes of WAL
    set off writes them out while the routes are timed (measured: p95 of 250 ms for routes whose every
    request takes 60 to 90 ms once it is done)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")


def _counts() -> dict:
    from fdx.audit.models import AuditEvent
    from fdx.examinations.models import Case, Examination, Finding
    from fdx.spectra.models import Spectrum
    from fdx.substances.models import Substance

    return {
        name: model.objects.count()
        for name, model in {
            "cases": Case,
            "examinations": Examination,
            "findings": Finding,
            "substances": Substance,
            "spectra": Spectrum,
            "audit_events": AuditEvent,
        }.items()
    }


def markdown(document: dict) -> str:
    """The growth curve as a table: one row per route, one p50/p95 column pair per size."""
    sizes = document["sizes"]
    header = "| route | persona | page | filters | " + " | ".join(
        f"{size['counts']['cases']:,} cases p50 / p95 ms" for size in sizes
    )
    lines = [header + " |", "|" + " --- |" * (4 + len(sizes))]
    keyed = [{_key(cell): cell for cell in size["routes"]} for size in sizes]
    for key in keyed[0]:
        figures = []
        for size in keyed:
            cell = size.get(key, {})
            if cell.get("p95_ms") is None:
                figures.append(cell.get("note", "—"))
            else:
                mark = "" if cell["pass"] else " **over**"
                figures.append(f"{cell['p50_ms']:.0f} / {cell['p95_ms']:.0f}{mark}")
        lines.append(f"| {key[1]} {key[2]} | {key[3]} | {key[4]} | {key[5]} | " + " | ".join(figures) + " |")
    for index, export in enumerate(sizes[0]["exports"]):
        rates = [
            f"{size['exports'][index]['rows']:,} rows, {size['exports'][index]['rows_per_s']:,}/s"
            for size in sizes
        ]
        lines.append(
            f"| export {export['route']} | {export['persona']} | all | | " + " | ".join(rates) + " |"
        )
    return "\n".join(lines) + "\n"


def _key(cell: dict) -> tuple:
    return (
        cell["kind"],
        cell["surface"],
        cell["route"],
        cell["persona"],
        cell.get("page", ""),
        cell.get("filters", ""),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("FDX_BENCH_DATABASE_URL", ""))
    parser.add_argument(
        "--sizes", default="10000,100000", help="cases in the database, comma-separated, rising"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per route (after one warm-up)")
    parser.add_argument("--batch-size", type=int, default=5000, help="cases per loader batch")
    parser.add_argument("--markdown", metavar="FILE", help="also write the figures as a Markdown table")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    setup_django(args.database_url, web_sessions=True)  # the readers' sessions are made with force_login
    from django.db import connection

    # The stream runs on past the last size: the rich case takes its template from the next records of the
    # laboratory (one record past the last size was often another organisation's: no template, no figures).
    bench = Bench(repeat=args.repeat, batch_size=args.batch_size, max_cases=sizes[-1] + TEMPLATE_MARGIN)
    bench.prepare()
    results = []
    for size in sizes:
        loading = bench.grow_to(size)
        print(f"{size:,} cases loaded: {loading}", file=sys.stderr)
        started = time.perf_counter()
        cells, exports = bench.measure(size)
        cells_out = [cell.as_dict() for cell in cells]
        results.append(
            {
                "counts": _counts(),
                **loading,
                "measure_s": round(time.perf_counter() - started, 1),
                "detail_targets": bench.targets,
                "over_goal": [
                    " ".join(filter(None, _key(cell)[1:])) for cell in cells_out if cell["pass"] is False
                ]
                + [export["route"] for export in exports if not export["pass"]],
                "routes": cells_out,
                "exports": exports,
            }
        )
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)  # each size as soon as it is measured
    document = {
        "benchmark": "growth",
        "database": connection.vendor,
        "repeat": args.repeat,
        "goals": {
            "list_p95_ms": LIST_GOAL_MS,
            "detail_p95_ms": DETAIL_GOAL_MS,
            "export_rows_per_s": EXPORT_GOAL_ROWS_PER_S,
        },
        "sizes": results,
    }
    print(json.dumps(document, indent=1))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as table:
            table.write(markdown(document))


if __name__ == "__main__":
    main()
