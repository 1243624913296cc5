from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = "Scorecard"

    def ready(self) -> None:
        from scorecard import roles, security  # noqa: F401  (security connects its signal receivers)

        # Permissions exist only after migrate has run, so the role groups are
        # synced then (and after a test flush), not in a data migration.
        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
