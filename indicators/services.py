"""Writes to the catalogue that happen outside the admin: the month's commentary on an indicator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import ChangePoint, Commentary, DismissedChangePoint, Indicator
from lib.months import Month

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class CommentaryConflict(Exception):
    """Someone else saved the commentary after the caller loaded it; nothing was written."""

    def __init__(self, current: Commentary | None):
        super().__init__("Someone else changed this commentary after you opened it, so yours was not saved.")
        self.current = current


class CommentaryEmpty(ValueError):
    """Commentary with no text; the message says what to do instead."""


def latest_history_id(commentary: Commentary | None) -> int | None:
    """Return the id of the commentary's newest history record (its version), or None if there is none."""
    if commentary is None or commentary.pk is None:
        return None
    return commentary.history.order_by("-history_id").values_list("history_id", flat=True).first()


@transaction.atomic
def commentary_save(
    *,
    indicator: Indicator,
    month: Month,
    text: str,
    actor: User,
    expected_version: int | None = None,
    check_version: bool = True,
) -> tuple[Commentary, bool]:
    """Write the indicator's commentary for the month; return it and whether anything changed.

    Every version is kept by the model's history (who, when, the text). With
    check_version, `expected_version` is the history id the writer started
    from (None: they saw no commentary), and a different one is refused. A month
    outside the commentary window (`check_commentary_month`) raises ValidationError.
    """
    text = (text or "").strip()
    if not text:
        raise CommentaryEmpty("Write the commentary before saving: it cannot be empty.")
    existing = Commentary.objects.select_for_update().filter(indicator=indicator, month=month.first_day).first()
    if check_version and latest_history_id(existing) != expected_version:
        raise CommentaryConflict(existing)
    if existing is not None and existing.text == text:
        return existing, False
    commentary = existing or Commentary(indicator=indicator, month=month.first_day)
    commentary.text = text
    commentary.updated_by = actor
    commentary._history_user = actor
    commentary.full_clean()
    commentary.save()
    return commentary, True


# ---------------------------------------------------------------- SPC change points


def change_point_add(*, indicator: Indicator, month: Month, reason: str, actor: User) -> ChangePoint:
    """Record that the indicator's process changed from the month; SPC starts a new baseline there."""
    if "\x00" in reason:  # PostgreSQL refuses NUL in text with an error; it is never typed
        raise ValidationError({"reason": "The reason contains a character that is not text (NUL); type it again."})
    change_point = ChangePoint(indicator=indicator, month=month.first_day, reason=reason.strip(), created_by=actor)
    change_point.full_clean()  # refuses a future or pre-2000 month, a duplicate month or a blank reason
    change_point._history_user = actor  # the history row names who recorded it
    change_point.save()
    return change_point


def change_point_remove(*, change_point: ChangePoint, actor: User) -> None:
    """Remove a change point; its history keeps who removed it and when."""
    change_point._history_user = actor
    change_point.delete()


def change_point_dismiss(*, indicator: Indicator, month: Month, actor) -> DismissedChangePoint:
    """Record that a suggested change point is not one, so the indicator page stops suggesting it."""
    if ChangePoint.objects.filter(indicator=indicator, month=month.first_day).exists():
        raise ValidationError({"month": f"{month.long_label} is already a change point: remove it instead."})
    dismissal = DismissedChangePoint(indicator=indicator, month=month.first_day, dismissed_by=actor)
    dismissal.full_clean()  # refuses a future or pre-2000 month, or a second dismissal of it, with a message
    dismissal._history_user = actor
    dismissal.save()
    return dismissal
