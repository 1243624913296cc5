from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, register_converter

from scorecard import admin_history, downloads, health, home, review, views
from scorecard.converters import MonthConverter
from scorecard.publish import month_publish
from scorecard.signin import SignInView

register_converter(MonthConverter, "month")

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every admin history page is read-only, whatever the model: no revert by POST, bad ids are 404.
    re_path(
        r"^admin/(?P<app_label>\w+)/(?P<model_name>\w+)/(?P<object_id>[^/]+)/history/(?P<version_id>[^/]+)/$",
        admin_history.history_form,
        name="admin-history-form",
    ),
    path("admin/", admin.site.urls),
    # Before the returns include: publishing needs the scorecard's ratings, so the view lives here.
    re_path(r"^returns/(?P<month>[0-9]{4}-[0-9]{2})/publish/?$", month_publish, name="returns-publish"),
    re_path(
        r"^returns/(?P<month>[0-9]{4}-[0-9]{2})/publish/preview/?$",
        review.publish_preview,
        name="returns-publish-preview",
    ),
    # The month page and the commentary page, with the scorecard's ratings and figures added (review.py).
    re_path(r"^returns/(?P<month>[0-9]{4}-[0-9]{2})/?$", review.month_page),
    path("returns/", include("returns.urls")),
    path("imports/", include("returns.import_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("scorecard/", views.scorecard_latest, name="scorecard"),
    path("scorecard/<month:month>/", views.scorecard_month, name="scorecard-month"),
    path("scorecard/<month:month>/v<int:version>/", views.scorecard_month, name="scorecard-version"),
    path("scorecard/<month:month>/v<int:version>.json", views.scorecard_version_json, name="scorecard-version-json"),
    path("scorecard/<month:month>/restate", views.scorecard_restate, name="scorecard-restate"),
    path("scorecard/<month:month>/provenance/<slug:code>/", views.provenance, name="scorecard-provenance"),
    path("scorecard/<month:month>.json", views.scorecard_json, name="scorecard-json"),
    path("scorecard/<month:month>.<str:fmt>", downloads.scorecard_download, name="scorecard-download"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<slug:code>/change-points/", views.change_point_add, name="change-point-add"),
    path(
        "indicators/<slug:code>/change-points/<int:pk>/remove/", views.change_point_remove, name="change-point-remove"
    ),
    path("indicators/<slug:code>/change-points/dismiss/", views.change_point_dismiss, name="change-point-dismiss"),
    re_path(
        r"^indicators/(?P<code>[A-Za-z0-9][A-Za-z0-9_.-]*)/commentary/(?P<month>[0-9]{4}-[0-9]{2})/$",
        review.commentary_page,
        name="commentary-edit",
    ),
]

# 400, 403 and 404 use Django's views with templates/<code>.html; 500 tells a
# database outage (503) from a fault.
handler500 = "scorecard.errors.server_error"
