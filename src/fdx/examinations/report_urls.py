"""The report verification page, served under /reports/ (open to anyone holding a report)."""

from django.urls import path

from fdx.examinations.views import reports

app_name = "reports"
urlpatterns = [
    path("verify/", reports.verify_page, name="verify"),
]
