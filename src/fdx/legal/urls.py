from django.urls import path

from fdx.legal import views

app_name = "legal"
urlpatterns = [
    path("", views.status, name="status"),
    path("lists/", views.lists, name="lists"),
    path("lists/<str:code>/", views.list_detail, name="list"),
    path("lists/<str:code>/add/", views.listing_add, name="listing-add"),
    path("entries/<uuid:listing_id>/", views.listing_detail, name="listing"),
    path("entries/<uuid:listing_id>/correct/", views.listing_correct, name="listing-correct"),
    path("entries/<uuid:listing_id>/end/", views.listing_end, name="listing-end"),
    path("entries/<uuid:listing_id>/withdraw/", views.listing_withdraw, name="listing-withdraw"),
    path("jurisdictions/<str:code>/import/", views.jurisdiction_import, name="import"),
    path("jurisdictions/<str:code>/listings.csv", views.jurisdiction_export, name="export"),
    path("jurisdictions/<str:code>/completeness/", views.jurisdiction_completeness, name="completeness"),
]
