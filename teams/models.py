"""The council, its areas and teams, child population and who works where."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import User

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    "Use letters, digits, '-', '_' or '.', starting with a letter or digit.",
)


def first_of_month(field: str, name: str) -> models.CheckConstraint:
    """Return a check that the date field holds the first day of its month (every month is stored so)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__day": 1}) | models.Q(**{f"{field}__isnull": True}),
        name=name,
        violation_error_message=f"Give the first day of the month ({field}).",
    )


class Council(models.Model):
    """The council itself; its code names the return of authority-level measures."""

    code = models.CharField(max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A breakdown column: a locality (with a child population) or a citywide service."""

    class Kind(models.TextChoices):
        LOCALITY = "locality", "Locality"
        CITYWIDE = "citywide", "Citywide service"

    code = models.CharField(max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(default=0, help_text="Column order on the scorecard.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class TeamType(models.Model):
    """What a team does (assessment, safeguarding, children in care, ...)."""

    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team that returns team-level measures each month."""

    code = models.CharField(max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="teams")
    team_type = models.ForeignKey(TeamType, on_delete=models.PROTECT, related_name="teams")
    active = models.BooleanField(default=True, help_text="Inactive teams are not expected to return.")
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams", blank=True
    )
    history = HistoricalRecords(excluded_fields=["members"])

    class Meta:
        ordering = ["area__order", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    """A user who enters returns for a team."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team.code}"


class Population(models.Model):
    """Children aged 0-17 in a locality, mid-year estimate for a year."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="populations")
    year = models.PositiveSmallIntegerField()
    population_0_17 = models.PositiveIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__order", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="population_area_year_unique"),
            models.CheckConstraint(condition=models.Q(population_0_17__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.year}: {self.population_0_17:,}"


def team_name_key(name: str) -> str:
    """Return a team name as compared with others: lower case, without spaces (so "Team 1" is "team1")."""
    return "".join(str(name).split()).casefold()


class TeamNameMapping(models.Model):
    """What a name the case management system uses for a team stands for here.

    Names equal to a team's code or name (ignoring case and spaces) need no
    mapping. A mapping names a team, or says the name is counted at authority
    level only (team blank): such rows count in the council's figures, never a team's.
    """

    name = models.CharField(max_length=200, help_text="As the case management system writes it.")
    key = models.CharField(max_length=200, unique=True, editable=False)
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="name_mappings",
        help_text="Blank: count these rows at authority level only.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} -> {self.team.code if self.team is not None else 'authority level only'}"

    def clean(self) -> None:
        self.name = " ".join(str(self.name).split())
        self.key = team_name_key(self.name)
        if not self.key:
            raise ValidationError({"name": "Give the name the case management system uses."})
        if TeamNameMapping.objects.filter(key=self.key).exclude(pk=self.pk).exists():
            raise ValidationError({"name": "This name (ignoring case and spaces) is already mapped."})
