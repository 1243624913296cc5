from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import re_path
from django.urls import include, path, register_converter

from scorecard import downloads, health, views
from scorecard.publish import month_publish
from indicators.views import commentary_edit
from scorecard.converters import MonthConverter
from scorecard.signin import SignInView

register_converter(MonthConverter, "month")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # Before the returns include: publishing needs the scorecard's ratings, so the view lives here.
    re_path(r"^returns/(?P<month>[0-9]{4}-[0-9]{2})/publish/?$", month_publish, name="returns-publish"),
    path("returns/", include("returns.urls")),
    path("imports/", include("returns.import_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("scorecard/", views.scorecard_latest, name="scorecard"),
    path("scorecard/<month:month>/", views.scorecard_month, name="scorecard-month"),
    path("scorecard/<month:month>.json", views.scorecard_json, name="scorecard-json"),
    path("scorecard/<month:month>.<str:fmt>", downloads.scorecard_download, name="scorecard-download"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<slug:code>/change-points/", views.change_point_add, name="change-point-add"),
    path("indicators/<slug:code>/change-points/<int:pk>/remove/", views.change_point_remove,
         name="change-point-remove"),
    re_path(r"^indicators/(?P<code>[A-Za-z0-9][A-Za-z0-9_.-]*)/commentary/(?P<month>[0-9]{4}-[0-9]{2})/$",
            commentary_edit, name="commentary-edit"),
]

# 400, 403 and 404 use Django's views with templates/<code>.html; 500 tells a
# database outage (503) from a fault.
handler500 = "scorecard.errors.server_error"
