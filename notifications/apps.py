from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The e-mail outbox (DESIGN.md section 6).

    A top-level app because both partners and agreements write to it and neither owns it: enquiry,
    account and contract e-mails all become rows here in the transaction of their cause.
    """

    name = "notifications"
    verbose_name = _("Notifications")
