from django.urls import path

from fdx.spectra import views

app_name = "spectra"
urlpatterns = [
    path("", views.search, name="search"),
    path("libraries/", views.library_list, name="libraries"),
    path("libraries/<uuid:library_id>/", views.library_detail, name="library"),
    path("<uuid:spectrum_id>/", views.spectrum_detail, name="spectrum"),
    path("<uuid:spectrum_id>/withdraw/", views.spectrum_withdraw, name="spectrum-withdraw"),
    path("identifications/", views.record_identification, name="record-identification"),
]
