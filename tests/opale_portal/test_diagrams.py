"""The state diagrams in docs/diagrams are drawn from the code (make diagrams): they must not drift from it."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

DIAGRAMS = Path(__file__).resolve().parents[2] / "docs" / "diagrams"


def lines(dot: str) -> list[str]:
    # graph_transitions lists nodes and edges from sets: compare them whatever their order
    return sorted(line.strip() for line in dot.splitlines() if line.strip())


@pytest.mark.parametrize(
    ("machine", "name"),
    [("partners.Enquiry", "enquiry"), ("agreements.Nda", "nda"), ("agreements.Contract", "agreement")],
)
def test_each_committed_diagram_is_the_machine_in_the_code(machine, name):
    out = StringIO()
    with translation.override("en"):
        call_command("graph_transitions", machine, stdout=out)
    committed = (DIAGRAMS / f"{name}.gv").read_text()
    assert lines(out.getvalue()) == lines(committed), f"run `make diagrams`: docs/diagrams/{name}.gv is stale"
    assert (DIAGRAMS / f"{name}.gv.svg").exists()


def test_the_nda_and_the_agreement_are_two_machines():
    nda, agreement = StringIO(), StringIO()
    call_command("graph_transitions", "agreements.Nda", stdout=nda)
    call_command("graph_transitions", "agreements.Contract", stdout=agreement)
    assert "send_for_review" in nda.getvalue() and "send_for_review" not in agreement.getvalue()
    assert "open_signature" in agreement.getvalue() and "open_signature" not in nda.getvalue()
