from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Partnership quality monitoring: satisfaction surveys (and, later, service-level clocks). Its own app because
    it reads across partners (enquiries) and agreements (contracts) and belongs to neither; both workflows call
    it, it calls neither's state changes."""

    name = "quality"
    verbose_name = _("Partnership quality")
