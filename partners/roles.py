"""Staff roles are Django groups (created by a migration); a user's entities and bodies give their scope."""

from django.utils.translation import gettext_lazy as _

CENTRAL_TEAM = "Central team"
ENTITY_CONTACT = "Entity contact"
LEGAL_STAFF = "Legal staff"

ROLE_LABELS = {
    CENTRAL_TEAM: _("Central team"),
    ENTITY_CONTACT: _("Entity contact"),
    LEGAL_STAFF: _("Legal staff"),
}
