from django.urls import path

from fdx.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.import_page, name="import"),
    path("runs/<uuid:run_id>/", views.run_detail, name="run"),
    path("runs/<uuid:run_id>/undo/", views.run_undo, name="run-undo"),
    path("runs/<uuid:run_id>/problems.csv", views.run_problems_csv, name="run-problems"),
    path("template.<str:file_format>", views.template_file, name="template"),
    path("mappings/new/", views.mapping_edit, name="mapping-new"),
    path("mappings/<slug:name>/", views.mapping_edit, name="mapping"),
]
