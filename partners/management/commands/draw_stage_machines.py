"""Draw the enquiry's, the NDA's and the agreement's stage machines into docs/diagrams (``make diagrams``).

django-fsm-2's graph_transitions draws them from the code; this runs it for each machine in English, so the
files do not depend on the settings' language. Needs Graphviz's ``dot`` for the SVG images.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation

MACHINES = {"enquiry": "partners.Enquiry", "nda": "agreements.Nda", "agreement": "agreements.Contract"}


class Command(BaseCommand):
    help = "Draw the stage machines into docs/diagrams (Graphviz source and SVG)."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "docs" / "diagrams"
        folder.mkdir(parents=True, exist_ok=True)
        with translation.override("en"):
            for name, machine in MACHINES.items():
                call_command("graph_transitions", machine, output=str(folder / f"{name}.gv.svg"))
                self.stdout.write(f"docs/diagrams/{name}.gv.svg")
