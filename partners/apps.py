from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """Companies, OPALE's entities and governing bodies, enquiries and their routing."""

    name = "partners"
    verbose_name = _("Partners and enquiries")

    def ready(self) -> None:
        from . import accounts  # noqa: F401 - connects the account signal handlers
