"""A 15-page research collaboration draft through the portal's path against WeasyPrint alone, in one run.

    .venv/bin/python bench/contract_pdf.py [--rounds 15] [--warmup 2] [--language fr] [--keep]   # or: make bench-pdf

1. Migrates a fresh SQLite database in a temporary folder (no service needed: the draft reads a few rows, the
   time goes to the layout), loads the demo data (staff, governing bodies with their signatory blocks, entities,
   companies, enquiries), and starts a research collaboration agreement through ``agreements.workflow`` on a
   demo enquiry in contracting whose entity has several governing bodies; its terms are saved through
   ``agreements.services`` with a realistic scientific annex (work packages, tasks, milestones) and per-party
   background, sized so the draft is about 15 pages.
2. Times, in alternating rounds (floor, portal, portal, floor, ...) so drift falls on both, after ``--warmup``
   unmeasured rounds of each:
   - **portal**: what the render task does, ``documents.build_html`` (terms form, parties, signatories, templates)
     then ``documents.render_pdf`` (WeasyPrint with the static-only URL fetcher);
   - **floor**: WeasyPrint alone on the same HTML string, ``HTML(string=html).write_pdf(stylesheets=[print.css])``:
     no database, no templates, no fetcher (the stylesheet given as a file; the HTML's relative link, without a
     base URL, is skipped without a fetch).
3. Asks for the same unchanged draft twice through ``drafts.draft_request`` (tasks eager, as without a broker)
   and counts the renders: it must be 1.
4. Prints the medians, p90s, the ratio portal / floor, and PASS or MISS against "median ≤ 1 s per draft" and
   "renders for an unchanged draft asked twice = 1". Exit status 0 whatever the timings, 1 if the unchanged
   draft rendered more than once or a PDF is not what it should be, 2 if the setup fails.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0  # issue 5: a draft in at most a second (median)
TARGET_RENDERS = 1  # an unchanged draft asked twice renders once

WORK_PACKAGES = [
    ("Patient samples and cohort", "the unit's biobank of primary AML samples (ALFA and FILO trials)"),
    ("Target validation", "CD123 expression on leukemic stem cells and normal haematopoietic progenitors"),
    ("Antibody characterisation", "binding, internalisation and effector functions of the antibody"),
    ("Ex vivo efficacy", "killing of primary blasts in co-culture with autologous effector cells"),
    ("In vivo efficacy", "patient-derived xenografts in NSG-SGM3 mice, with and without chemotherapy"),
    ("Biomarker of response", "single-cell transcriptomics and flow cytometry of responders and non-responders"),
    ("Resistance mechanisms", "clones escaping treatment, CD123 loss and compensatory signalling"),
    ("Combination studies", "the antibody with venetoclax and azacitidine on primary samples and PDX models"),
    ("Minimal residual disease", "an MRD assay following CD123-positive leukemic stem cells under treatment"),
    ("Safety pharmacology", "off-tumour effects on normal haematopoiesis and endothelial cells in vitro"),
    ("Translational readiness", "the biomarker assay's transfer to a clinical laboratory and its validation plan"),
    ("Data management and reporting", "the project's data plan, interim and final reports"),
]


def work_plan(packages: int) -> str:
    """A scientific annex the way the legal staff paste it: work packages, tasks, who, when, milestones."""
    parts = [
        "General objective. Assess the anti-CD123 antibody of the Company on primary acute myeloid leukemia "
        "samples and models, identify a biomarker of response and the mechanisms of resistance, so as to decide "
        "on a first-in-human trial.",
        "Organisation. The unit leads the work packages below with the Company's translational team; the "
        "steering committee reviews each milestone. Months are counted from the effective date.",
    ]
    for number, (title, subject) in enumerate(WORK_PACKAGES[:packages], start=1):
        tasks = "\n".join(
            f"Task {number}.{task}: {verb} {subject}, with {detail} (months {3 * task - 2} to {3 * task + 4}). "
            f"Deliverable D{number}.{task}: a written report with the raw data, the analysis scripts and a "
            "summary of the conclusions for the steering committee."
            for task, (verb, detail) in enumerate(
                [
                    ("define the protocol for", "the Company's scientists and the unit's platform staff"),
                    ("run the experiments on", "the agreed controls, replicates and statistical plan"),
                    ("analyse and report", "a blinded analysis by a biostatistician of the unit"),
                ],
                start=1,
            )
        )
        parts.append(
            f"Work package {number}: {title}. Leader: the unit, with the Company's project manager. Scope: "
            f"{subject}. Resources: two engineers of the unit at 50 %, one post-doctoral fellow funded by the "
            f"Company's contribution, and access to the unit's flow cytometry and single-cell platforms.\n{tasks}\n"
            f"Milestone M{number}: the steering committee approves the results of work package {number} and "
            "decides whether to go on, adapt or stop the following ones."
        )
    return "\n\n".join(parts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds of each (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured rounds of each first (default 2)")
    parser.add_argument("--language", choices=["fr", "en"], default="fr", help="fr: French; en: French and English")
    parser.add_argument("--packages", type=int, default=12, help="work packages in the annex (default 12: 15 pages)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, HTML, PDFs)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or not 1 <= args.packages <= len(WORK_PACKAGES):
        parser.error(f"--rounds at least 1, --warmup at least 0, --packages from 1 to {len(WORK_PACKAGES)}")
    return args


def configure_environment(folder: Path) -> None:
    """Production settings (DEBUG off), a SQLite file and media in ``folder``, tasks eager (no broker)."""
    for key in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE", "CACHE_URL"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "opale_portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(folder / "media"),
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "ERROR",  # WeasyPrint warns for each refused URL; none is expected here
        }
    )


def make_agreement(args: argparse.Namespace):
    """A research collaboration on a demo enquiry in contracting, its terms complete and long."""
    from django.contrib.auth import get_user_model

    from agreements import services, workflow
    from agreements.choices import AgreementKind
    from partners import demo_data
    from partners.choices import EnquiryStage, RoutingStatus
    from partners.models import Enquiry

    demo_data.load()
    central = get_user_model().objects.get(username="central")
    enquiries = Enquiry.objects.filter(stage=EnquiryStage.CONTRACTING).order_by("pk")
    for enquiry in enquiries:
        routing = enquiry.routings.filter(status=RoutingStatus.ACCEPTED).select_related("entity").order_by("pk").first()
        if routing is not None and routing.entity.governances.count() >= 2:
            break
    else:
        raise RuntimeError("the demo data has no enquiry in contracting with an entity of several governing bodies")
    agreement = workflow.agreement_request(
        enquiry=enquiry,
        entity=routing.entity,
        kind=AgreementKind.RESEARCH_COLLABORATION,
        actor=central,
        language=args.language,
    )
    parties = list(agreement.parties.select_related("company", "body").order_by("pk"))
    shares = [100 // len(parties)] * len(parties)
    shares[0] += 100 - sum(shares)
    data = {
        "work_plan": work_plan(args.packages),
        "deliverables": "\n".join(
            f"D{n}: report of work package {n} ({title}), at month {3 * n + 6}."
            for n, (title, _subject) in enumerate(WORK_PACKAGES[: args.packages], start=1)
        ),
        "company_contribution": "485000.00",
        "pricing_basis": "full_cost_plus_margin",
        "effective_date": "2027-01-04",
        "duration_months": 36,
        "steering_committee": "Two members per party (one scientist, one project or contracts manager); meets "
        "every quarter and after each milestone, by video conference or in Paris; chaired by the unit's director.",
        "ownership": "co_owned",
        "exploitation_field": "Treatment and diagnosis of acute myeloid leukemia and myelodysplastic syndromes "
        "with antibodies or antibody-drug conjugates directed against CD123.",
        "exclusive": "True",
        "financial_return": "Royalties of 3 % on net sales of products using the joint results, an upfront "
        "payment at signature of the licence and milestone payments at the start of phase II and at marketing "
        "authorisation.",
        "licence_access": "option",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
    }
    for party, share in zip(parties, shares, strict=True):
        data[f"background_{party.pk}"] = (
            f"Background of {party.company or party.body}: know-how, data and materials held before the effective "
            "date and listed in the parties' exchange of letters, among them the antibody's sequence and cell "
            "lines (the Company), the AML biobank and its clinical annotations, the PDX models and the single-cell "
            "analysis pipelines (the academic parties)."
        )
        data[f"share_{party.pk}"] = str(share)
    return services.agreement_save_terms(agreement=agreement, actor=central, data=data), central


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_both(args, agreement) -> tuple[list[float], list[float], bytes, bytes, str]:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    from agreements import documents

    # The floor's HTML keeps its relative <link>: without a base URL WeasyPrint skips it (no fetch) and warns
    # (an error) each time; the stylesheet is given directly instead.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    stylesheet = CSS(filename=finders.find(documents.STYLESHEET))
    html = documents.build_html(agreement, args.language, False)

    def portal() -> bytes:
        return documents.render_pdf(documents.build_html(agreement, args.language, False))

    def floor() -> bytes:
        return HTML(string=html).write_pdf(stylesheets=[stylesheet])

    for _ in range(args.warmup):
        floor(), portal()
    timings: dict[str, list[float]] = {"portal": [], "floor": []}
    outputs: dict[str, bytes] = {}
    for round_number in range(args.rounds):
        order = ("floor", "portal") if round_number % 2 == 0 else ("portal", "floor")
        for name in order:
            started = time.perf_counter()
            outputs[name] = (portal if name == "portal" else floor)()
            timings[name].append(time.perf_counter() - started)
    return timings["portal"], timings["floor"], outputs["portal"], outputs["floor"], html


def count_renders(agreement, actor) -> tuple[int, list]:
    """Ask twice for the unchanged draft, through the service the admin's button calls; count WeasyPrint runs."""
    from agreements import documents, drafts

    calls = []
    real = documents.render

    def counting(html, **kwargs):
        calls.append(1)
        return real(html, **kwargs)

    documents.render = counting
    try:
        first = drafts.draft_request(agreement=agreement, actor=actor)
        second = drafts.draft_request(agreement=agreement, actor=actor)
    finally:
        documents.render = real
    first.refresh_from_db()
    second.refresh_from_db()
    return len(calls), [first, second]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="opale-bench-pdf-"))
    configure_environment(folder)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from pypdf import PdfReader

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        agreement, central = make_agreement(args)
        print(f"setup: migrated, demo data, agreement {agreement.reference} in {time.perf_counter() - started:.1f} s")
    except Exception as error:  # noqa: BLE001 - any setup failure ends the run with its message
        print(f"setup failed: {type(error).__name__}: {error}", file=sys.stderr)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        return 2

    try:
        portal, floor, portal_pdf, floor_pdf, html = time_both(args, agreement)
        renders, (first, second) = count_renders(agreement, central)
        pages = len(PdfReader(io.BytesIO(portal_pdf)).pages)
        floor_pages = len(PdfReader(io.BytesIO(floor_pdf)).pages)
        if args.keep:
            (folder / "portal.pdf").write_bytes(portal_pdf)
            (folder / "floor.pdf").write_bytes(floor_pdf)
            (folder / "draft.html").write_text(html)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    parties = agreement.parties.count()
    language = "French" if args.language == "fr" else "French and English"
    print(
        f"draft: research collaboration, {language}, {parties} parties, {args.packages} work packages, "
        f"{pages} pages ({floor_pages} for the floor), {len(portal_pdf) / 1024:.0f} KiB"
    )
    print(f"rounds: {args.rounds} measured of each, after {args.warmup} warm-up; alternating order\n")
    print(f"{'':34}{'median':>10}{'p90':>10}{'min':>10}")
    for label, values in (
        ("portal (build_html + render_pdf)", portal),
        ("floor (WeasyPrint on the HTML)", floor),
    ):
        print(f"{label:34}{statistics.median(values):>9.3f}s{percentile(values, 0.9):>9.3f}s{min(values):>9.3f}s")
    median = statistics.median(portal)
    ratio = median / statistics.median(floor)
    ratios = sorted(p / f for p, f in zip(portal, floor, strict=True))
    print(
        f"\nportal / floor, medians: {ratio:.2f}x  (per round: {ratios[0]:.2f}x to {ratios[-1]:.2f}x, "
        f"median {statistics.median(ratios):.2f}x)"
    )
    print(f"portal overhead per draft: {1000 * (median - statistics.median(floor)):.0f} ms")
    verdict = "PASS" if median <= TARGET_SECONDS else "MISS"
    print(f"median per draft through the portal: {median:.3f} s  target <= {TARGET_SECONDS:.0f} s  {verdict}")

    same = first.pk == second.pk
    ok_renders = renders == TARGET_RENDERS and same and first.status == "ready"
    print(
        f"unchanged draft asked twice: {renders} render(s), version {first.number} and {second.number} "
        f"({first.status}, {first.pages} pages)  target = {TARGET_RENDERS}  {'PASS' if ok_renders else 'MISS'}"
    )
    if not ok_renders or pages < 2 or not portal_pdf.startswith(b"%PDF-"):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
