"""URLs of the import pages and the returns export, included under /imports/."""

from django.urls import path

from returns import annex_a_views, import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.imports_index, name="index"),
    path("returns/", import_views.returns_upload, name="returns"),
    path("returns/confirm/", import_views.returns_confirm, name="returns-confirm"),
    path("reference/<slug:kind>/", import_views.reference_upload, name="reference"),
    path("reference/<slug:kind>/confirm/", import_views.reference_confirm, name="reference-confirm"),
    path("export/", import_views.returns_export_view, name="export"),
    path("annex-a/", annex_a_views.annex_a_upload, name="annex-a"),
    path("annex-a/map/", annex_a_views.annex_a_map, name="annex-a-map"),
    path("annex-a/confirm/", annex_a_views.annex_a_confirm, name="annex-a-confirm"),
    path("jobs/<slug:token>/", import_views.import_job, name="job"),
]
