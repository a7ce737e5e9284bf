"""The API and its documentation agree: every route is in the OpenAPI document, declares its
authentication, and really refuses anonymous callers unless it is declared public."""

import re
import uuid

import pytest

from fdx.config.api import api

PUBLIC = {("get", "/api/v1/health")}
#: The routes other nodes call, with the peer token this node gave them (not a user's token or session).
PEER_ROUTES = {
    ("get", "/api/v1/exchange/changes"),
    ("post", "/api/v1/exchange/inbox"),
    ("get", "/api/v1/exchange/records/{global_id}"),
    ("get", "/api/v1/exchange/catalogue"),
    ("post", "/api/v1/exchange/catalogue/{publication_id}/subscription"),
    ("delete", "/api/v1/exchange/catalogue/{publication_id}/subscription"),
}


def declared_routes():
    """(method, path, operation) for every operation registered on the NinjaAPI."""
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/api/v1/" + "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
            full = re.sub(r"\{(\w+:)?(\w+)\}", r"{\2}", full)
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.append((method.lower(), full, operation))
    return routes


@pytest.fixture(scope="module")
def openapi():
    return api.get_openapi_schema(path_prefix="/api/v1")


def test_every_route_is_documented(openapi):
    documented = {(method, path) for path, item in openapi["paths"].items() for method in item}
    declared = {(method, path) for method, path, _op in declared_routes()}

    assert declared == documented


def test_every_route_declares_its_authentication(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if (method, path) in PUBLIC:
                assert not operation.get("security"), f"{method} {path} is public but declares security"
            elif (method, path) in PEER_ROUTES:
                schemes = {name for requirement in operation.get("security", []) for name in requirement}
                assert schemes == {"PeerAuth"}, f"{method.upper()} {path} declares {schemes}"
            else:
                schemes = {name for requirement in operation.get("security", []) for name in requirement}
                assert schemes == {"TokenAuth", "SessionAuth"}, f"{method.upper()} {path} declares {schemes}"


def test_every_route_has_a_summary_and_a_tag(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path}"
            assert operation.get("tags"), f"{method} {path}"


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "FDX API"


def test_interactive_docs_load_nothing_from_outside(client):
    html = client.get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def _concrete(path: str) -> str:
    def value(match):
        name = match.group(1)
        if name.endswith("_id"):
            return str(uuid.uuid4())
        return "1" if name == "sequence" else "x"

    return re.sub(r"\{(\w+)\}", value, path)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _o in declared_routes()])
def test_anonymous_callers_are_refused_except_on_public_routes(client, method, path):
    response = getattr(client, method)(_concrete(path), content_type="application/json")

    if (method, path) in PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 401, f"{method.upper()} {path} answered {response.status_code}"
        assert response.json()["error"]["code"] == "unauthenticated"


def _walk(node, path=""):
    """Every (path, schema object) in a JSON document."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_every_array_schema_has_one_items_schema(openapi):
    # A tuple type gave `prefixItems` (2020-12 JSON Schema), which OpenAPI 3.0 tools read as an array of
    # `items` and reject: the peaks of GET /spectra/{id} made the whole document invalid for them.
    for where, node in _walk(openapi):
        assert "prefixItems" not in node, where
        if node.get("type") == "array":
            assert isinstance(node.get("items"), dict), where


# Reads that answer 409 for the record's state (declared with ``also_answers``): no report of a draft.
READS_THAT_CONFLICT = {
    ("get", "/api/v1/examinations/{examination_id}/report"),
    ("get", "/api/v1/findings/exports/{run_id}/download"),  # the export is not ready yet
}

#: Routes that ask another node: it may not be callable as this node is set up (409), or unreachable (502).
ASKING_A_PEER = {
    ("get", "/api/v1/exchange/peers/{name}/catalogue"),
    ("post", "/api/v1/exchange/peers/{name}/followed"),
    ("delete", "/api/v1/exchange/peers/{name}/followed/{publication_id}"),
}


def test_every_operation_documents_its_error_responses(openapi):
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            responses = {str(status): response for status, response in operation["responses"].items()}
            expected = {"503"} if (method, path) in PUBLIC else {"401", "403"}
            if operation.get("parameters") or "requestBody" in operation:
                expected |= {"404", "422"}
            if "requestBody" in operation:
                expected |= {"400", "413"}
            if method in {"post", "put", "patch", "delete"} or (method, path) in READS_THAT_CONFLICT:
                expected.add("409")
            if (method, path) in ASKING_A_PEER:
                expected |= {"409", "502"}
            errors = {status for status in responses if status.startswith(("4", "5"))}
            assert errors == expected, f"{method.upper()} {path} documents {sorted(errors)}"
            for status in errors:
                assert responses[status]["content"]["application/json"]["schema"] == error, (method, path)


@pytest.mark.django_db
def test_the_error_schema_is_the_shape_the_api_answers_with(openapi, client):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # comes with schemathesis (dev)

    schema = openapi["components"]["schemas"]["Error"]
    assert jsonschema_rs.is_valid(schema, client.get("/api/v1/me").json())
    assert not jsonschema_rs.is_valid(schema, {"detail": "Unauthorized"})


def test_no_two_api_schemas_share_a_name():
    # ninja names a component after its class: two classes of one name are one component in the document,
    # and one of them is described wrongly (the health check's node was shown as the node identity).
    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("fdx.") and ".api." in cls.__module__:
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
