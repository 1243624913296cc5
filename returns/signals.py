"""Signals returns sends for others to record; returns itself depends on no receiver.

`workflow_event` is sent by the returns views after a transition succeeds, so
that the project's security log (in scorecard, which returns may not import)
can record approvals and reopenings with the request's user and address.
Arguments: request, event (e.g. "return_approved"), fields (a dict).
"""

from django.dispatch import Signal

workflow_event = Signal()
