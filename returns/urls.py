"""URLs of DESIGN.md's returns contract; a trailing slash is optional on each (links use the first spelling)."""

from django.urls import path, re_path

from returns import views

app_name = "returns"

MONTH = r"(?P<month>[0-9]{4}-[0-9]{2})"
UNIT = r"(?P<unit>[A-Za-z0-9][A-Za-z0-9_.-]*)"

urlpatterns = [
    path("", views.month_index, name="index"),
    re_path(rf"^{MONTH}/$", views.month_returns, name="month"),
    re_path(rf"^{MONTH}$", views.month_returns),
    # Before the form's pattern: a unit coded "approve-submitted" would be shadowed (as "publish" is).
    re_path(rf"^{MONTH}/approve-submitted/?$", views.month_approve, name="approve-submitted"),
    re_path(rf"^{MONTH}/{UNIT}/$", views.return_form, name="form"),
    re_path(rf"^{MONTH}/{UNIT}$", views.return_form),
    re_path(rf"^{MONTH}/{UNIT}/template\.(?P<fmt>csv|xlsx)$", views.return_template, name="template"),
    re_path(rf"^{MONTH}/{UNIT}/submitted/$", views.return_submitted, name="submitted"),
    re_path(rf"^{MONTH}/{UNIT}/submitted$", views.return_submitted),
    re_path(
        rf"^{MONTH}/{UNIT}/(?P<action>submit|approve|reject|reopen)/?$", views.return_transition, name="transition"
    ),
]
