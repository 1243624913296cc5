"""A reporting unit's monthly return, its values, and the audit trail behind them."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from indicators.models import Measure, check_expressions
from teams.models import Team, first_of_month

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


class ReportingMonth(models.Model):
    """A month of returns; published months are visible to senior leaders."""

    month = models.DateField(unique=True, help_text="First day of the month.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Publishing and unpublishing (a reopened return) are audited with who, when and why.
    history = HistoricalRecords()
    # Set before save: simple_history records them on the history row.
    _history_user: AbstractBaseUser | None
    _change_reason: str

    class Meta:
        ordering = ["-month"]
        constraints = [first_of_month("month", "reporting_month_first_day")]
        permissions = [
            ("publish_month", "Can publish a month to senior leaders"),
            ("view_unpublished_month", "Can see the scorecard of an unpublished month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ReturnState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"


class Return(models.Model):
    """One unit's return for one month: a team's, or the council's own (team is null)."""

    # Defined outside the class so that Meta's constraints can name its values.
    State = ReturnState

    month = models.DateField(help_text="First day of the month.")
    # The unique (team, month) constraint's index serves every lookup by team; the users' links carry no index
    # either (a user's returns are looked up only when the user is deleted). Each index is a write on every
    # return an import starts, and one changed column's index makes every version bump a whole new row.
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        help_text="Blank for the council's own return of authority-level measures.",
        db_index=False,
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change, for edit conflicts.")
    comment = models.TextField(blank=True, help_text="Explains warnings when submitting.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # The last approval, kept through a reopening: the values it approved stay in force (ApprovedValue) until
    # the return is approved again, and published figures name it as their source.
    approved_version = models.PositiveIntegerField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "team__area__order", "team__code"]
        # A month's returns (an import reads them a month at a time); (team, month) below leads with the team.
        indexes = [models.Index(fields=["month"], name="return_month_idx")]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="return_unique_team_month"),
            models.UniqueConstraint(
                fields=["month"], condition=Q(team__isnull=True), name="return_unique_council_month"
            ),
            first_of_month("month", "return_month_first_day"),
            models.CheckConstraint(condition=Q(state__in=ReturnState.values), name="return_state_valid"),
        ]
        permissions = [
            ("submit_return", "Can submit a return"),
            ("enter_any_return", "Can enter and submit the return of any unit"),
            ("approve_return", "Can approve, reject and reopen returns"),
            ("import_returns", "Can import returns from files"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_label} {self.month:%b %Y} ({self.get_state_display()})"

    @property
    def unit_label(self) -> str:
        return self.team.code if self.team is not None else "council"

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.APPROVED


class ReturnValue(models.Model):
    """One measure's count in a return; no row means not yet known, never zero."""

    # No index of their own: the unique (ret, measure) constraint's index serves every lookup by return, and
    # nothing reads a measure's values across returns but a measure's deletion (refused while values exist).
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="values", db_index=False)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+", db_index=False)
    value = models.BigIntegerField(null=True, blank=True)
    unavailable_reason = models.CharField(
        max_length=500, blank=True, help_text="Why the value is not available, when it is blank."
    )

    class Meta:
        ordering = ["ret", "measure__order"]
        constraints = [
            models.UniqueConstraint(fields=["ret", "measure"], name="return_value_unique_measure"),
            models.CheckConstraint(condition=Q(value__gte=0), name="return_value_non_negative"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(unavailable_reason=""),
                name="return_value_blank_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code}={self.value}"


class ApprovedValue(models.Model):
    """A reopened return's last approved count, in force for every scorecard until it is approved again.

    An approved return's own values are its approved values (they are locked);
    reopening copies them here first, so drafts and submissions never reach a
    published or leaders' figure. Only counts are kept: a blank is no data.
    """

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="approved_values")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ret", "measure"], name="approved_value_unique_measure"),
            models.CheckConstraint(condition=Q(value__gte=0), name="approved_value_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code}={self.value} (approved)"


class Source(models.TextChoices):
    FORM = "form", "Form"
    IMPORT = "import", "Import"
    ADMIN = "admin", "Admin"
    SYSTEM = "system", "System"
    ANNEX_A = "annex_a", "Annex A"


class ImportRecord(models.Model):
    """One import of a file that changed values (returns or Annex A): who ran it, when, and which file.

    Its audit rows (ValueChange.import_record) name it instead of each carrying
    the user, file name and checksum: at a million values those took 85 bytes a
    row, and the database checked the link to the user once a row (4-5 s).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.file_name} at {timezone.localtime(self.at):%d %B %Y %H:%M}"


class ValueChange(models.Model):
    """Append-only record of one value changing: old, new, who, when, how and why.

    Who made the change is the row's actor, or, for a file's import, its
    ImportRecord's, which also names the file (never both): read them as `who`
    and `file`, or in a query as CHANGED_BY.

    Rows are read by return only, through the (ret, at) index, so the links carry
    no index of their own (an import writes up to millions of rows at once); the
    database still checks every link, as it does everywhere else.
    """

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="value_changes", db_index=False)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+", db_index=False)
    old_value = models.BigIntegerField(null=True, blank=True)
    new_value = models.BigIntegerField(null=True, blank=True)
    unavailable_reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(null=True, blank=True, help_text="The return's version this change produced.")
    import_record = models.ForeignKey(
        ImportRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="value_changes", db_index=False
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ret", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(old_value__gte=0) | Q(old_value__isnull=True))
                & (Q(new_value__gte=0) | Q(new_value__isnull=True)),
                name="value_change_non_negative",
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="value_change_source_valid"),
            # Who is said in one place: the row or its import.
            models.CheckConstraint(
                condition=Q(import_record__isnull=True) | Q(actor__isnull=True), name="value_change_import_says_who"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code}: {self.old_value} -> {self.new_value}"

    @property
    def who(self) -> AbstractBaseUser | None:
        """The user who made the change (None: the system). Select `actor` and `import_record__actor` with it."""
        record = self.import_record
        return record.actor if record is not None else self.actor

    @property
    def file(self) -> tuple[str, str]:
        """The (name, SHA-256) of the file the value came from; ("", "") when it came from none."""
        record = self.import_record
        return (record.file_name, record.file_sha256) if record is not None else ("", "")


# The id of the user who made a change, in a query over ValueChange (None: the system).
CHANGED_BY = Coalesce("actor_id", "import_record__actor_id")


class StateChange(models.Model):
    """Append-only record of a return moving between states."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=10, choices=Return.State.choices)
    to_state = models.CharField(max_length=10, choices=Return.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(null=True, blank=True, help_text="The return's version this change produced.")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_state__in=ReturnState.values) & Q(to_state__in=ReturnState.values),
                name="state_change_states_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"


class ValidationRule(models.Model):
    """A check over a return's values: `left operator right`, each side an expression of measure codes.

    Errors block submission; warnings need a comment. A rule applies to a return
    only when the unit returns every measure it names and none of them is blank.
    """

    class Operator(models.TextChoices):
        LE = "<=", "is at most"
        LT = "<", "is less than"
        GE = ">=", "is at least"
        GT = ">", "is more than"
        EQ = "==", "equals"
        NE = "!=", "differs from"

    class Severity(models.TextChoices):
        ERROR = "error", "Error (blocks submission)"
        WARNING = "warning", "Warning (needs a comment to submit)"

    code = models.CharField(max_length=60, unique=True, help_text="A short name, e.g. re_referrals_le_referrals.")
    left = models.CharField(max_length=500, help_text="Expression over measure codes, e.g. re_referrals.")
    operator = models.CharField(max_length=2, choices=Operator.choices, default=Operator.LE)
    right = models.CharField(max_length=500, help_text="Expression over measure codes, e.g. referrals.")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)
    message = models.CharField(
        max_length=300,
        help_text="Shown with the values when the rule fails, e.g. 'Re-referrals cannot exceed referrals.'",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"

    def clean(self) -> None:
        # Blank sides are refused by the fields themselves; a rule compares counts, never population.
        check_expressions(self, ("left", "right"), allow_population=False)


class PendingImport(models.Model):
    """An uploaded file waiting between its preview and its confirmation.

    Kept in the database, not a worker's memory or disk, so the confirm may
    reach any app process on any machine. Removed when confirmed; stale ones
    are cleared at the next upload.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of data: a confirm is checked without reading it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.file_name}"

    def read_data(self, chunk: int = 1024 * 1024) -> io.BytesIO:
        """Return the stored file, read from the database a chunk at a time (never the whole row at once)."""
        table = connection.ops.quote_name(self._meta.db_table)
        if connection.vendor == "postgresql":
            size_sql, part_sql = "octet_length(data)", "substring(data from %s for %s)"
        else:
            size_sql, part_sql = "length(data)", "substr(data, %s, %s)"
        out = io.BytesIO()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {size_sql} FROM {table} WHERE id = %s", [self.pk])
            row = cursor.fetchone()
            size = row[0] if row else 0
            for start in range(0, size, chunk):
                cursor.execute(f"SELECT {part_sql} FROM {table} WHERE id = %s", [start + 1, chunk, self.pk])
                out.write(cursor.fetchone()[0])
        out.seek(0)
        return out


class ImportStep(models.TextChoices):
    PREVIEW = "preview", "Preview"
    CONFIRM = "confirm", "Import"


class ImportJobState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Stopped by a fault"


class ImportJob(models.Model):
    """A large import's preview or confirmation, run in the background while its page shows progress.

    The file waits in its PendingImport; the job records where it got to and,
    when finished, what the import found (the preview's figures, or the
    problems that refused it). Progress while it runs is kept in the cache
    (returns.import_jobs), outside the import's transaction.
    """

    # Defined outside the class so that Meta's constraint can name their values.
    Step = ImportStep
    State = ImportJobState

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pending = models.ForeignKey(PendingImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs")
    file_name = models.CharField(max_length=255)
    step = models.CharField(max_length=10, choices=Step.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    fingerprint = models.CharField(max_length=64, blank=True, help_text="The preview's, which a confirm must match.")
    result = models.JSONField(null=True, blank=True)
    problems = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=ImportStep.values) & Q(state__in=ImportJobState.values),
                name="import_job_step_and_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} of {self.file_name} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REFUSED, self.State.FAILED)


class ClosureDay(models.Model):
    """A day the council is closed beyond the bank holidays (e.g. between Christmas and New Year).

    Not a working day for due dates or for the 45-working-day assessment timescale.
    """

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100, help_text="e.g. Council closure day.")

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d %B %Y}: {self.name}"
