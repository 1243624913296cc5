"""The admin's history pages, read-only for every model: django-simple-history's revert form never saves.

Its "revert" form checks only that the user may view the history, then saves
the old version over the current one, bypassing every service, lock and
audit. Here the page is shown for reading, a POST is refused (405) and logged,
and an id that is not one (``/abc/history/1/``) is 404, not a server error.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin

from scorecard.security import log_security_event


def history_form(
    request: HttpRequest, app_label: str, model_name: str, object_id: str, version_id: str
) -> HttpResponse:
    """Show one historical version of an object, read-only; refuse any attempt to write through it."""
    if request.method not in ("GET", "HEAD"):
        log_security_event(
            request,
            "admin_history_write_refused",
            model=f"{app_label}.{model_name}",
            object_id=object_id,
            version_id=version_id,
        )
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404("No such model.") from None
    model_admin = admin.site._registry.get(model)
    if not isinstance(model_admin, SimpleHistoryAdmin) or not version_id.isdigit():
        raise Http404("No such history.")
    try:
        model._meta.pk.to_python(object_id)
    except ValidationError:
        raise Http404("No such object.") from None
    return admin.site.admin_view(model_admin.history_form_view)(request, object_id, version_id)
