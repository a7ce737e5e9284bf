"""The harmonisation pages keep their addresses under /legal/ (config.urls mounts them there, before the
legal app's own pages), though the examinations app serves them: they count findings."""

from django.urls import path

from fdx.examinations.views import harmonisation

app_name = "harmonisation"
urlpatterns = [
    path("harmonisation/", harmonisation.matrix_view, name="matrix"),
    path("what-if/", harmonisation.what_if_view, name="what-if"),
]
