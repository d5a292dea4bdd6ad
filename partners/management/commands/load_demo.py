"""``manage.py load_demo``: load the fictional demo consortium and print the logins to try the portal with."""

import time

from django.core.management.base import BaseCommand

from partners import demo_data

BANNER = """\
==============================================================================================
  DEMO DATA - OPALE Partnerships portal
  Fictional people, companies, numbers and enquiries, for trying the portal.
  Never load them into a production database.
=============================================================================================="""


class Command(BaseCommand):
    help = (
        "Load the demo consortium (entities, governing bodies, companies, staff, enquiries at every stage). "
        "Safe to run again: what exists already is left as it is."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        summary = demo_data.load()
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.WARNING(BANNER))
        self.stdout.write("")
        self.stdout.write(self._table(summary["logins"]))
        self.stdout.write("")
        created = summary["created"]
        if created:
            done = ", ".join(f"{count} {label}" for label, count in created.items())
            self.stdout.write(self.style.SUCCESS(f"Created {done} in {elapsed:.1f} s."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo data already loaded: nothing to create ({elapsed:.1f} s)."))
        totals = ", ".join(f"{count} {label}" for label, count in summary["totals"].items())
        self.stdout.write(f"In the database: {totals}.")

    def _table(self, logins: list[dict]) -> str:
        columns = [
            ("Role", "role"),
            ("Sign in with", "sign_in_with"),
            ("Password", "password"),
            ("Sees", "sees"),
            ("Sign in at", "url"),
        ]
        widths = [max(len(title), *(len(row[key]) for row in logins)) for title, key in columns]
        lines = ["  ".join(title.ljust(width) for (title, _key), width in zip(columns, widths, strict=True))]
        lines.append("  ".join("-" * width for width in widths))
        for row in logins:
            lines.append("  ".join(row[key].ljust(width) for (_title, key), width in zip(columns, widths, strict=True)))
        return "\n".join(line.rstrip() for line in lines)
