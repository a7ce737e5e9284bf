from django.urls import path

from fdx.substances import views

app_name = "substances"
urlpatterns = [
    path("", views.substance_list, name="list"),
    path("new/", views.substance_create, name="create"),
    path("<uuid:substance_id>/", views.substance_detail, name="detail"),
    path("<uuid:substance_id>/structure.svg", views.structure_svg, name="structure-svg"),
]
