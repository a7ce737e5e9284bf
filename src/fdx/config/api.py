"""The one NinjaAPI of FDX, mounted at /api/v1, with every app's router."""

import fdx
from fdx.accounts.api.auth import DEFAULT_AUTH
from fdx.accounts.api.router import router as accounts_router
from fdx.audit.api.router import router as audit_router
from fdx.core.api import errors
from fdx.core.api.health import router as health_router
from fdx.core.api.openapi import FdxNinjaAPI
from fdx.examinations.api.router import router as examinations_router
from fdx.exchange.api.router import router as exchange_router
from fdx.geo.api.router import router as geo_router
from fdx.intake.api.router import router as intake_router
from fdx.legal.api.router import router as legal_router
from fdx.spectra.api.router import router as spectra_router
from fdx.substances.api.router import router as substances_router

api = FdxNinjaAPI(
    title="FDX API",
    version=fdx.__version__,
    description=(
        "Forensic Drug eXchange. Authenticate with an API token (`Authorization: Bearer fdx_…`, created with "
        "`fdx users token` or on your account page) or a signed-in browser session. Every failure answers "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    auth=DEFAULT_AUTH,
    parser=errors.JsonObjectParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", health_router)
api.add_router("", accounts_router)
api.add_router("", geo_router)
api.add_router("/audit", audit_router)
api.add_router("", substances_router)
api.add_router("", examinations_router)
api.add_router("", legal_router)
api.add_router("", spectra_router)
api.add_router("/exchange", exchange_router)
api.add_router("/intake", intake_router)
