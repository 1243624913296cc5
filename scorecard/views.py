"""The home page and (later) the scorecard page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scorecard import roles


def home(request: HttpRequest) -> HttpResponse:
    """Show each role the places it works."""
    groups = set(request.user.groups.values_list("name", flat=True))
    return render(request, "home.html", {
        "is_performance": roles.PERFORMANCE in groups or request.user.is_superuser,
        "is_data_entry": roles.DATA_ENTRY in groups,
        "is_leader": roles.LEADERS in groups,
        "is_admin": request.user.is_staff,
    })
