"""``manage.py refresh_clocks``: recompute every enquiry's and contract's clocks from the stage changes.

The clocks follow each stage change by themselves; this catches up after a bulk import, a restore, or a change in
how a clock is counted (the public holidays of a new year, for example)."""

import time

from django.core.management.base import BaseCommand

from partners.models import Enquiry
from quality import clocks


class Command(BaseCommand):
    help = "Recompute the service-level clocks of every enquiry and contract from their stage changes."

    def handle(self, *args, **options):
        started = time.monotonic()
        ids = list(Enquiry.objects.values_list("pk", flat=True))
        clocks.refresh(ids)
        self.stdout.write(
            self.style.SUCCESS(f"Clocks of {len(ids)} enquiries recomputed in {time.monotonic() - started:.1f} s.")
        )
