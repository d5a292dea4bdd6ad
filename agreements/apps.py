from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """NDAs and agreements, their stages, draft PDFs and the audit trail of every stage change."""

    name = "agreements"
    verbose_name = _("Agreements")
