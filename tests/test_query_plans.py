"""Query plans are part of the contract, as query counts are (``test_query_counts.py``): on PostgreSQL, over
tables large enough for the planner to prefer an index, every list route's queries are EXPLAINed and none may
read a large table whole.

What fails (``_violations``), on the estimated plan (``EXPLAIN (FORMAT JSON)``, never run):

* **a sequential scan of a large table**: a ``Seq Scan`` node on a relation the statistics hold more than
  ``LARGE_TABLE_ROWS`` rows of (``pg_class.reltuples``). A small table (roles, countries) may be scanned.
* **a sort of the whole table**: a ``Sort`` node whose input is estimated at more than ``SORT_ROWS`` rows.
  A page must come in order from an index (``Index Scan`` under ``Limit``) or be sorted from a small
  filtered set; a top-N heapsort under a ``Limit`` still reads every row it sorts, so it fails as well.
  ``Incremental Sort`` (the rows come presorted from an index) is fine.

Counts are informational: the API routes are read with ``with_count=false`` (a client paging a long list
sends it; cursor pages never count), and a ``SELECT COUNT(*)`` a route or page issues (the first API page's
total, the web pages' paginators) is recorded in the plans but not judged: an exact count reads every
matching row by nature.

The plans, simplified to node types, relations and indexes (no costs or row estimates), are recorded in
``query_plans.json``; a plan that changes shows up in review. ``FDX_RECORD_QUERY_PLANS=1`` rewrites the file
after a deliberate change (on PostgreSQL: the file is only read or written there).
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, models
from psycopg import sql

RECORD = Path(__file__).with_name("query_plans.json")

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans are a PostgreSQL contract: set FDX_TEST_DATABASE_URL to run them",
)

#: A table the statistics hold more rows of may not be read by a sequential scan.
LARGE_TABLE_ROWS = 5_000
#: A sort of more (estimated) input rows than this reads a large part of a table to give one page.
SORT_ROWS = 1_000
#: Demo cases written through the bulk loader (``fdx demo load``'s path), then copied (whole case trees,
#: exhibits to findings) until the tables hold about ``CASES`` cases; the other large lists are grown to
#: ``ROWS`` by copying the rows the reference data and actions wrote. Every grown table holds several times
#: ``LARGE_TABLE_ROWS``: near the threshold a narrow table (a link table of two ids) fills so few pages that a
#: sequential scan is rightly cheapest, and the choice would flip from run to run.
LOADED_CASES = 1_000
CASES = 20_000
ROWS = 20_000

#: Routes that fail the contract today, by their key in ``query_plans.json``. Each must still fail (so
#: that a fix shows up here and the entry goes), and every other route must pass.
KNOWN_VIOLATIONS: set[str] = set()

# (page kind, path, persona, parameters); "api" routes are read at their first page and at the page after
# it (by the ``next`` cursor where the route gives one), "web" pages at their first page. ``{library}`` is
# the global id of the library holding the spectra, ``{case}`` that of a Kazakh laboratory's case with many
# notes.
ROUTES = [
    ("api", "/cases", "kz_lab_chemist", {}),
    ("api", "/cases", "uz_police_analyst", {}),
    ("api", "/cases", "kz_lab_chemist", {"substance_class": "cathinones"}),
    ("api", "/cases", "kz_lab_chemist", {"country": "KZ"}),
    ("api", "/cases", "kz_lab_chemist", {"q": "KZ"}),
    ("api", "/cases", "kz_lab_chemist", {"status": "draft"}),
    ("api", "/cases", "uz_police_analyst", {"status": "approved"}),
    ("api", "/cases", "uz_police_analyst", {"substance_class": "cathinones"}),
    ("api", "/examinations", "kz_lab_chemist", {}),
    ("api", "/examinations", "kz_lab_chemist", {"status": "approved"}),
    ("api", "/findings", "kz_lab_chemist", {}),
    ("api", "/findings", "kz_lab_chemist", {"substance_class": "cathinones"}),
    ("api", "/substances", "kz_lab_chemist", {}),
    ("api", "/substances", "kz_lab_chemist", {"q": "hydrochloride"}),
    ("api", "/substances", "kz_lab_chemist", {"substance_class": "cathinones"}),
    ("api", "/spectral-libraries", "kz_lab_chemist", {}),
    ("api", "/spectra", "kz_lab_chemist", {}),
    ("api", "/spectra", "kz_lab_chemist", {"q": "caffeine"}),
    ("api", "/spectra", "kz_lab_chemist", {"library": "{library}"}),
    ("api", "/audit/events", "hub_admin", {}),
    ("api", "/audit/events", "hub_admin", {"action": "examinations."}),
    ("api", "/users", "hub_admin", {}),
    ("api", "/tokens", "hub_admin", {}),
    ("api", "/organisations", "kz_lab_chemist", {}),
    ("api", "/countries", "kz_lab_chemist", {}),
    ("api", "/regions", "kz_lab_chemist", {"country": "KZ"}),
    ("api", "/border-crossing-points", "kz_lab_chemist", {}),
    ("api", "/sharing-groups", "hub_admin", {}),
    ("api", "/node/events", "hub_admin", {}),
    ("api", "/legal/lists/UN-1971-II/listings", "kz_lab_chemist", {}),
    ("api", "/legal/lists/UN-1971-II/listings", "kz_lab_chemist", {"history": "true"}),
    ("api", "/cases/{case}/notes", "kz_lab_chemist", {}),
    ("web", "/cases/", "kz_lab_chemist", {}),
    ("web", "/substances/", "kz_lab_chemist", {}),
    ("web", "/spectra/libraries/", "kz_lab_chemist", {}),
    ("web", "/spectra/libraries/{library}/", "kz_lab_chemist", {}),
    ("web", "/audit/", "hub_admin", {}),
]


def _key(kind: str, path: str, persona: str, params: dict, page: str) -> str:
    return f"{kind} {path} {persona} {sorted(params.items())} {page}"


# Growing the tables


def _copy_rows(tables: list, copies: int, originals=None, *, below: bool = False) -> None:
    """``copies`` copies of the rows of ``tables`` ([(model, {foreign key attname: model copied with it})]),
    made by the database (``INSERT … SELECT`` over ``generate_series``). Copy ``n`` of a row gets the key
    ``pk + shift + n × span`` (the copies follow the table's largest key, one block of ``span`` keys per
    copy), and a foreign key to a table copied alongside moves the same way, so a copied tree stays whole;
    unique fields get distinct values (a fresh global id, a ``~n`` suffix). ``originals`` ({model: [pk]})
    limits which rows are copied; ``below`` puts the copies' keys below the table's smallest instead, for a
    key the application hands out itself (the audit chain's sequence)."""
    moves = {model: _key_move(model, (originals or {}).get(model), below) for model, _moved in tables}
    for model, moved in tables:
        columns, values = [], []
        unique = _unique_fields(model, moved)
        for field in model._meta.concrete_fields:
            column = sql.SQL("src.{}").format(sql.Identifier(field.column))
            if field.primary_key or field.attname in moved:
                shift, span = moves[model if field.primary_key else moved[field.attname]]
                value = sql.SQL("{} + {} + copy.n * {}").format(column, sql.Literal(shift), sql.Literal(span))
            elif field in unique and isinstance(field, models.UUIDField):
                value = sql.SQL("gen_random_uuid()")
            elif field in unique and isinstance(field, models.CharField):
                cut = sql.Literal(field.max_length - 8)
                value = sql.SQL(
                    "CASE WHEN {0} = '' THEN {0} ELSE left({0}, {1}) || '~' || copy.n END"
                ).format(column, cut)
            else:
                value = column
            columns.append(sql.Identifier(field.column))
            values.append(value)
        chosen = (originals or {}).get(model)
        statement = sql.SQL(
            "INSERT INTO {table} ({columns}) SELECT {values}"
            " FROM {table} AS src, generate_series(1, %s) AS copy(n){where}"
        ).format(
            table=sql.Identifier(model._meta.db_table),
            columns=sql.SQL(", ").join(columns),
            values=sql.SQL(", ").join(values),
            where=sql.SQL(" WHERE src.{} = ANY(%s)").format(sql.Identifier(model._meta.pk.column))
            if chosen is not None
            else sql.SQL(""),
        )
        with connection.cursor() as cursor:
            raw = cursor.connection
            cursor.execute(
                statement.as_string(raw), [copies, *([list(chosen)] if chosen is not None else [])]
            )
            if isinstance(model._meta.pk, models.AutoField):
                cursor.execute(
                    sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT max({}) FROM {}))")
                    .format(sql.Identifier(model._meta.pk.column), sql.Identifier(model._meta.db_table))
                    .as_string(raw),
                    [model._meta.db_table, model._meta.pk.column],
                )


def _key_move(model, chosen: list | None, below: bool) -> tuple[int, int]:
    """(shift, span) of ``_copy_rows``: copy 1 of the smallest copied key lands just after the table's
    largest key (or, ``below``, copy 1 of the largest just before the smallest, the span negative)."""
    statement = sql.SQL("SELECT min({0}), max({0}) FROM {1}").format(
        sql.Identifier(model._meta.pk.column), sql.Identifier(model._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.connection))
        smallest, largest = cursor.fetchone()
    low, high = (min(chosen), max(chosen)) if chosen else (smallest, largest)
    span = high - low + 1
    if below:
        return smallest - 1 - high + span, -span
    return largest + 1 - low - span, span


def _unique_fields(model, moved: dict) -> list:
    """The fields to make distinct in a copy: each unique field, and the widest text field of each unique
    constraint (its other fields, such as a language code, stay as they are) unless the constraint holds a
    foreign key that moves with the copy (a case's status rows: the case makes them distinct)."""
    fields = [f for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    for constraint in model._meta.constraints:
        named = [model._meta.get_field(name) for name in getattr(constraint, "fields", ())]
        if any(field.attname in moved for field in named):
            continue
        texts = [f for f in named if isinstance(f, models.CharField)]
        if texts:
            fields.append(max(texts, key=lambda f: f.max_length or 10**6))
    return list(dict.fromkeys(fields))


def _fill(persona, folder: Path) -> dict[str, str]:
    """Fill the tables (in the test's transaction) and ANALYZE them; returns the routes' placeholders."""
    from fdx.accounts.actions import create_api_token, create_user
    from fdx.accounts.models import ApiToken, User
    from fdx.audit.models import AuditEvent
    from fdx.core.actors import system
    from fdx.core.models import EventDelivery
    from fdx.demo.cases import load_demo_cases_in_batches
    from fdx.demo.people import ensure_demo_people
    from fdx.examinations.models import Case, CaseStatus, CaseSubstance, Examination, Exhibit, Finding
    from fdx.legal.models import Listing
    from fdx.spectra import actions as spectra_actions
    from fdx.spectra.models import SpectralLibrary, Spectrum
    from fdx.substances.models import Substance, SubstanceName

    actor = system("test")
    ensure_demo_people(actor)
    load_demo_cases_in_batches(actor, cases=LOADED_CASES, seed=2024, batch_size=LOADED_CASES)
    _copy_rows(
        [
            (Case, {}),
            (Exhibit, {"case_id": Case}),
            (Examination, {"exhibit_id": Exhibit, "previous_revision_id": Examination}),
            (Examination.methods.through, {"examination_id": Examination}),
            (Finding, {"examination_id": Examination}),
            (CaseSubstance, {"case_id": Case}),
            (CaseStatus, {"case_id": Case}),
        ],
        CASES // LOADED_CASES - 1,
    )
    substances = Substance.objects.count()
    _copy_rows(
        [
            (Substance, {}),
            (SubstanceName, {"substance_id": Substance}),
            (Substance.classes.through, {"substance_id": Substance}),
        ],
        ROWS // substances,
    )
    chemist = persona("kz_lab_chemist")
    library = spectra_actions.create_library(
        actor, spectra_actions.LibraryInput(name="Plan library"), organisation=chemist.organisation
    )
    path = folder / "plan.msp"
    path.write_text(
        "Name: Caffeine\nID: 1\nNum Peaks: 3\n109 300\n194 999\n55 120\n\n"
        "Name: Plan unknown\nID: 2\nNum Peaks: 2\n91 999\n65 200\n",
        encoding="utf-8",
    )
    spectra_actions.import_spectra(actor, library, path)
    _copy_rows([(Spectrum, {})], ROWS // Spectrum.objects.count())
    _copy_rows([(SpectralLibrary, {})], ROWS // SpectralLibrary.objects.count())
    users = []
    for number in range(3):
        user, _created = create_user(
            actor, username=f"plan_user_{number}", organisation=chemist.organisation, roles=["analyst"]
        )
        create_api_token(actor, user, name="plan")
        users.append(user.pk)
    _copy_rows([(User, {})], ROWS // len(users), {User: users})
    _copy_rows([(ApiToken, {})], ROWS // ApiToken.objects.count())
    _copy_rows([(AuditEvent, {})], ROWS // AuditEvent.objects.count(), below=True)
    listings = list(Listing.objects.filter(control_list__code="UN-1971-II").values_list("pk", flat=True))
    _copy_rows([(Listing, {})], ROWS // len(listings), {Listing: listings})
    if EventDelivery.objects.exists():
        _copy_rows([(EventDelivery, {})], ROWS // EventDelivery.objects.count())
    noted = _add_notes(persona, chemist)
    with connection.cursor() as cursor:
        # A sample of every row (300 × the target): the statistics, and so the plans, are the same each run.
        cursor.execute("SET LOCAL default_statistics_target = 300")
        cursor.execute("ANALYZE")
    return {"library": str(library.global_id), "case": str(noted.global_id)}


def _add_notes(persona, chemist):
    """Notes of the Kazakh laboratory and of the Kazakh police on ten of the laboratory's cases, copied until
    the table holds about ``ROWS`` (as many on each of the ten); returns the first of those cases."""
    from fdx.examinations.case_notes import add_case_note
    from fdx.examinations.models import Case, CaseNote

    cases = list(Case.objects.filter(owner_organisation=chemist.organisation).order_by("pk")[:10])
    analyst = persona("kz_police_analyst")
    for number, case in enumerate(cases):
        add_case_note(chemist, case, f"lab note {number}")
        if Case.objects.restrict(analyst, "view").filter(pk=case.pk).exists():
            add_case_note(analyst, case, f"police note {number}")
    _copy_rows([(CaseNote, {})], ROWS // CaseNote.objects.count())
    return cases[0]


# Reading the plans


def _explain(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        document = cursor.fetchone()[0]
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def _nodes(plan: dict, depth: int = 0):
    yield plan, depth
    for child in plan.get("Plans", ()):
        yield from _nodes(child, depth + 1)


def _line(node: dict) -> str:
    parts = [node["Node Type"]]
    if node.get("Strategy") and node["Node Type"] in {"Aggregate", "SetOp"}:
        parts[0] = f"{node['Strategy']} {parts[0]}"
    if node.get("Join Type"):
        parts.append(f"({node['Join Type']})")
    if node.get("Index Name"):
        parts.append(f"using {node['Index Name']}")
    if node.get("Relation Name"):
        parts.append(f"on {node['Relation Name']}")
    if node.get("Sort Key"):
        parts.append("by " + ", ".join(node["Sort Key"]))
    return " ".join(parts)


def _simplified(plan: dict, table_rows: dict[str, float]) -> list[str]:
    """How the plan reads the large tables, in plan order: the access path of each node on a table over
    ``LARGE_TABLE_ROWS``: a sequential scan, or the index (or indexes) it reads. The join methods and the
    small tables are left out: the planner flips between a hash join and a nested loop over a dozen
    organisations from one run to the next (a CI run caught it), which says nothing about how the list
    scales. So is the way an index is read (an index scan, an index-only scan, or a bitmap of it: the planner
    flips between them with the visibility map and the row estimates, and each reads the same index)."""
    return [
        _access_path(node)
        for node, _depth in _nodes(plan)
        if table_rows.get(node.get("Relation Name"), 0) > LARGE_TABLE_ROWS
    ]


def _access_path(node: dict) -> str:
    if node["Node Type"] == "Bitmap Heap Scan":
        indexes = sorted(
            {
                child["Index Name"]
                for child, _depth in _nodes(node)
                if child["Node Type"] == "Bitmap Index Scan"
            }
        )
        return f"index {' + '.join(indexes)} on {node['Relation Name']}"
    if node.get("Index Name"):
        return f"index {node['Index Name']} on {node['Relation Name']}"
    return _line(node)


def _table_rows() -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        return dict(cursor.fetchall())


def _bounded_scans(plan: dict, limited: bool = False):
    """Ids of the sequential scans under a Limit whose filter keeps most of the table: such a scan stops
    after about twice the limit's rows (a bounded total's ``COUNT(*) FROM (… LIMIT 10001)`` over a list
    that holds nearly every row), which is what an index would read too."""
    if limited and plan["Node Type"] == "Seq Scan":
        yield id(plan), plan.get("Plan Rows", 0)
    for child in plan.get("Plans", ()):
        yield from _bounded_scans(child, limited or plan["Node Type"] == "Limit")


def _violations(plan: dict, table_rows: dict[str, float]) -> list[str]:
    found = []
    bounded = dict(_bounded_scans(plan))
    for node, _depth in _nodes(plan):
        relation = node.get("Relation Name")
        large = table_rows.get(relation, 0) > LARGE_TABLE_ROWS
        if large and id(node) in bounded and bounded[id(node)] * 2 >= table_rows[relation]:
            continue
        if node["Node Type"] == "Seq Scan" and large:
            found.append(f"sequential scan of {relation} ({table_rows[relation]:.0f} rows)")
        if node["Node Type"] == "Sort" and node["Plan Rows"] > SORT_ROWS:
            found.append(f"sort of {node['Plan Rows']} rows by {', '.join(node.get('Sort Key', []))}")
    return found


def _is_count(sql: str) -> bool:
    return '"__count"' in sql


def _read(client, kind, path, params, headers, cursor=None):
    """The response and the SELECTs it issued, with their parameters as the driver was given them (an
    ``execute_wrapper``: ``CaptureQueriesContext`` keeps only the interpolated text)."""
    if kind == "api":
        params = {**params, "limit": 50, "with_count": "false", **({"cursor": cursor} if cursor else {})}
        path = "/api/v1" + path
    queries = []

    def keep(run, sql, args, many, context):
        queries.append((sql, args))
        return run(sql, args, many, context)

    with connection.execute_wrapper(keep):
        response = client.get(path, params, **headers)
    assert response.status_code == 200, (path, params, response.status_code, response.content[:500])
    return response, [(sql, args) for sql, args in queries if sql.lstrip().upper().startswith("SELECT")]


def _plans_of(client, kind, path, params, headers) -> dict[str, list]:
    """{page: [(sql, params, plan)]} of a route's first page and (for an API list giving ``next``) the next
    page, read by that cursor."""
    response, queries = _read(client, kind, path, params, headers)
    pages = {"first page": queries}
    body = response.json() if kind == "api" else None
    if isinstance(body, dict) and body.get("next"):
        pages["cursor page"] = _read(client, kind, path, params, headers, body["next"])[1]
    return {
        page: [(sql, args, _explain(sql, args)) for sql, args in queries] for page, queries in pages.items()
    }


@pytest.fixture(scope="module")
def _vacuumed(django_db_setup, django_db_blocker):
    """``VACUUM ANALYZE`` before the test's transaction begins and after it is rolled back (module-scoped,
    so outside it): the dead rows the tests before left would change the tables' sizes, and so the plans,
    from run to run; and ANALYZE's row counts outlive a rollback (the tests after this one would be planned
    for rows that are gone)."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    yield
    cache.clear()  # the totals counted here over the grown tables are gone with them
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@postgresql_only
@pytest.mark.django_db
def test_list_routes_read_large_tables_through_indexes(
    _vacuumed, api, client, persona, tmp_path, settings, monkeypatch
):
    # Counting within a time budget is timing, not the contract: on a busy machine a count that runs out
    # would read as another plan (the planner's estimate) and another number of queries.
    monkeypatch.setattr("fdx.core.paging.COUNT_BUDGET_MS", 60_000)
    settings.VAR_DIR = tmp_path  # the spectral search index of this test's database
    cache.clear()  # a web page's total counted by an earlier test in this process would skip its count
    placeholders = _fill(persona, tmp_path)
    table_rows = _table_rows()
    recorded, failing = {}, {}
    for kind, route, who, route_params in ROUTES:
        path = route.format(**placeholders)
        params = {name: value.format(**placeholders) for name, value in route_params.items()}
        user = persona(who)
        if kind == "api":
            headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token_for(user)}"}
            api.get("/me", user=user)  # the token is first used (which notes the time) before the plans
        else:
            headers = {}
            client.force_login(user)
        for page, plans in _plans_of(client, kind, path, params, headers).items():
            key = _key(kind, route, who, route_params, page)
            recorded[key] = [
                {"count": _is_count(sql), "plan": _simplified(plan, table_rows)} for sql, _args, plan in plans
            ]
            problems = [
                f"{problem}\n    in {sql[:300]}"
                for sql, _args, plan in plans
                if not _is_count(sql)
                for problem in _violations(plan, table_rows)
            ]
            if problems:
                failing[key] = problems

    unexpected = {key: problems for key, problems in failing.items() if key not in KNOWN_VIOLATIONS}
    assert not unexpected, "list routes read a large table whole:\n" + json.dumps(unexpected, indent=1)
    mended = KNOWN_VIOLATIONS - set(failing)
    assert not mended, f"these routes pass now: take them out of KNOWN_VIOLATIONS: {sorted(mended)}"
    if os.environ.get("FDX_RECORD_QUERY_PLANS"):
        RECORD.write_text(
            json.dumps(recorded, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    expected = json.loads(RECORD.read_text(encoding="utf-8"))
    changed = {
        key: "\n".join(
            difflib.unified_diff(
                json.dumps(expected.get(key), indent=1).splitlines(),
                json.dumps(recorded.get(key), indent=1).splitlines(),
                "recorded",
                "now",
                lineterm="",
            )
        )
        for key in sorted(set(expected) | set(recorded))
        if expected.get(key) != recorded.get(key)
    }
    assert not changed, (
        "a list route's query plan changed: review it, then FDX_RECORD_QUERY_PLANS=1 to record it\n"
        + "\n".join(f"{key}:\n{diff}" for key, diff in changed.items())
    )


def _node(node_type: str, rows: int = 10, relation: str | None = None, children=()) -> dict:
    node = {"Node Type": node_type, "Plan Rows": rows, "Plans": list(children)}
    if relation:
        node["Relation Name"] = relation
    return node


def test_a_sequential_scan_fails_only_on_a_large_table():
    sizes = {"big": LARGE_TABLE_ROWS + 1, "small": LARGE_TABLE_ROWS}
    plan = _node(
        "Hash Join", children=[_node("Seq Scan", relation="small"), _node("Seq Scan", relation="big")]
    )

    assert _violations(plan, sizes) == [f"sequential scan of big ({LARGE_TABLE_ROWS + 1} rows)"]
    assert _violations(_node("Index Scan", relation="big"), sizes) == []


def test_a_sort_fails_when_its_input_is_large_even_under_a_limit():
    whole = _node(
        "Limit", 50, children=[_node("Sort", SORT_ROWS + 1, children=[_node("Index Scan", relation="t")])]
    )
    small = _node(
        "Limit", 50, children=[_node("Sort", SORT_ROWS, children=[_node("Bitmap Heap Scan", relation="t")])]
    )
    presorted = _node("Limit", 50, children=[_node("Incremental Sort", 10**6)])

    assert _violations(whole, {}) == [f"sort of {SORT_ROWS + 1} rows by "]
    assert _violations(small, {}) == []
    assert _violations(presorted, {}) == []


def test_the_recorded_plan_is_the_access_path_of_each_large_table():
    plan = {
        "Node Type": "Limit",
        "Total Cost": 12.5,
        "Plans": [
            {
                "Node Type": "Index Scan",
                "Index Name": "case_seizure_key",
                "Relation Name": "examinations_case",
                "Plan Rows": 51,
            }
        ],
    }

    large = {"examinations_case": LARGE_TABLE_ROWS + 1}
    assert _simplified(plan, large) == ["index case_seizure_key on examinations_case"]
    assert _simplified(plan, {}) == []  # a small table's access path is not part of the record


def test_an_index_read_as_a_bitmap_is_recorded_as_the_same_index():
    scan = {
        "Node Type": "Index Only Scan",
        "Index Name": "name_upper",
        "Relation Name": "names",
        "Plan Rows": 9,
    }
    bitmap = {
        "Node Type": "Bitmap Heap Scan",
        "Relation Name": "names",
        "Plan Rows": 9,
        "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "name_upper", "Plan Rows": 9}],
    }
    seq = {"Node Type": "Seq Scan", "Relation Name": "names", "Plan Rows": 9}
    large = {"names": LARGE_TABLE_ROWS + 1}

    assert _simplified(scan, large) == _simplified(bitmap, large) == ["index name_upper on names"]
    assert _simplified(seq, large) == ["Seq Scan on names"]
