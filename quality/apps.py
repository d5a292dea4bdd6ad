from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Partnership quality monitoring: satisfaction surveys, service-level clocks and the KPI dashboard. Its own
    app because it reads across partners (enquiries) and agreements (contracts) and belongs to neither; both
    workflows call it (or it listens to their stage changes), it calls neither's state changes."""

    name = "quality"
    verbose_name = _("Partnership quality")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import signals  # noqa: F401 - connects the clock receivers
        from .aggregates import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="quality_sqlite_percentile")
