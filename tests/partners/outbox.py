"""What the e-mail tests share: who the enquiry's company readers are, and the outbox rows of one template."""

import pytest

from notifications.models import Notification

PORTAL = "http://portal.opale.test"
CLAIRE = "claire.martin@example.com"  # the enquiry's contact person (EnquiryFactory)
CHLOE = "chloe.company@example.org"  # company_member, who submitted it
COMPANY = {CLAIRE, CHLOE}


@pytest.fixture
def portal_url(settings):
    """Links in e-mails start with a known address; no shared mailbox unless a test adds one."""
    settings.PORTAL_URL = PORTAL
    settings.CENTRAL_TEAM_EMAIL = ""


def sent(template: str) -> dict[str, Notification]:
    return {n.recipient: n for n in Notification.objects.filter(template=template)}
