from django.contrib import admin
from django.urls import include, path

from fdx.config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("fdx.accounts.urls")),
    path("audit/", include("fdx.audit.urls")),
    path("substances/", include("fdx.substances.urls")),
    path("cases/", include("fdx.examinations.urls")),
    path("reports/", include("fdx.examinations.report_urls")),
    path("legal/", include("fdx.examinations.harmonisation_urls")),
    path("legal/", include("fdx.legal.urls")),
    path("spectra/", include("fdx.spectra.urls")),
    path("exchange/", include("fdx.exchange.urls")),
    path("import/", include("fdx.intake.urls")),
    path("", include("fdx.core.urls")),
]

# Error pages in the site's layout and the user's language (the API's errors keep their JSON shape).
handler400 = "fdx.core.views.bad_request"
handler403 = "fdx.core.views.permission_denied"
handler404 = "fdx.core.views.page_not_found"
handler500 = "fdx.core.views.server_error"
