"""Enquiry submission against the bare Django floor, on one gunicorn + PostgreSQL stack, in one run.

    .venv/bin/python bench/enquiry_submission.py [--seconds 20] [--concurrency 4]

1. Drops and recreates a PostgreSQL database (``opale_bench``), migrates it (the portal's apps and the
   bench-only ``bench.floor_app``), collects the static files into a temporary folder, and creates one company
   user per virtual user (company, membership, verified e-mail address, known password).
2. Serves ``opale_portal.wsgi`` with gunicorn (2 workers x 2 threads) with DEBUG off and
   DJANGO_SETTINGS_MODULE=bench.floor_settings: the portal's settings plus the floor app and its URL, so both
   workloads run on the same processes, middleware, sessions, database and cache.
3. Each virtual user (a thread with its own keep-alive connection and cookies) signs in once, then drives
   the two workloads in alternating slices (floor, portal, portal, floor, ...), so background noise on a
   shared machine falls on both alike:
   - portal: one complete enquiry = 4 POSTs (step 1 creates the draft, step 2 the project, step 3 the
     contacts with one small PDF, multipart, step 4 consent, which submits); redirects are not followed;
   - floor: 1 POST of a form of similar size with one small PDF to a view that validates a ModelForm and
     inserts one row.
4. Prints requests per second and p50/p95 latency of both, their ratios, and the developers' guide target
   (enquiry submission >= 0.8x the floor); then checks that every acknowledged submission is in the database
   exactly once, stops gunicorn and drops the database.

The load generator uses only the standard library (http.client), which sends cookies whatever their Secure
flag: with DEBUG off the session and CSRF cookies are Secure, and the bench talks plain HTTP on loopback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETTINGS_MODULE = "bench.floor_settings"
TARGET_RATIO = 0.8
PORTAL_STEPS = ("needs", "project", "practical", "review")
STEP_LABELS = {
    "needs": "step 1 needs (creates the draft)",
    "project": "step 2 project",
    "practical": "step 3 practical + PDF",
    "review": "step 4 review (submits)",
}
SUMMARY = (
    "We develop a first-in-class small molecule against a metabolic vulnerability of FLT3-ITD acute myeloid "
    "leukemia blasts. Our lead compound shows nanomolar activity in cell lines and we would like to confirm "
    "it on primary patient samples and in patient-derived xenograft models, and to identify predictive "
    "biomarkers of response before a first-in-human trial. This summary is non-confidential. "
) * 2
OBJECTIVES = (
    "Confirm activity on 30 primary AML samples within 9 months; select a biomarker panel; prepare a joint "
    "application to a national call if the results are positive."
)


# ----------------------------------------------------------------------------------------------------------
# Load generator: standard library only.


@dataclass
class Response:
    status: int
    location: str
    body: bytes
    started: float
    ended: float

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Sample:
    workload: str  # "portal" or "floor"
    label: str  # a portal step, or "floor"
    started: float
    ended: float
    ok: bool


class Client:
    """One browser-like HTTP/1.1 client: a keep-alive connection and a cookie jar that ignores Secure."""

    IDLE_RECONNECT = 1.0  # gunicorn closes idle keep-alive connections after 2 s; never send on a stale one

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.connection: http.client.HTTPConnection | None = None
        self.last_used = 0.0
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is not None and time.perf_counter() - self.last_used > self.IDLE_RECONNECT:
            self.connection.close()
            self.connection = None
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection = self._connection()
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()  # never retried: a POST sent twice would be a double submission
            raise
        ended = time.perf_counter()
        self.last_used = ended
        for header in response.headers.get_all("Set-Cookie") or []:
            self._store_cookie(header)
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(response.status, response.getheader("Location", ""), data, started, ended)

    def _store_cookie(self, header: str) -> None:
        jar = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            return
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or (not morsel.value and morsel["expires"]):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def post(self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]] = ()):
        fields = [("csrfmiddlewaretoken", self.cookies.get("csrftoken", "")), *fields]
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request("POST", path, body, content_type)


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = f"----opalebench{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content_type, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def small_pdf(marker: str) -> bytes:
    """A valid one-page PDF (about 1 KB), different for every submission, as a company would send."""
    text = f"OPALE benchmark attachment {marker}".encode()
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n" + b"%" + b"\xe2\xe3\xcf\xd3\n" + b"% " + b"x" * 500 + b"\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


class Budget:
    """How many more units (submissions or floor POSTs) may start; None means bounded by time only."""

    def __init__(self, limit: int | None):
        self.left = limit
        self.lock = threading.Lock()

    def take(self) -> bool:
        if self.left is None:
            return True
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


class BenchError(Exception):
    """The benchmark could not run (setup, server or integrity): printed and exits non-zero."""


@dataclass
class VirtualUser:
    index: int
    client: Client
    email: str
    password: str
    run_id: str
    vocabulary: dict[str, str]
    samples: list[Sample] = field(default_factory=list)
    submissions: list[tuple[float, float, bool]] = field(default_factory=list)  # started, ended, in window
    acked_portal: list[tuple[int, str]] = field(default_factory=list)  # (enquiry pk, title)
    acked_floor: list[tuple[int, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sequence: int = 0

    def sign_in(self) -> None:
        page = self.client.request("GET", "/accounts/login/")
        if page.status != 200 or "csrftoken" not in self.client.cookies:
            raise BenchError(f"GET /accounts/login/ answered {page.status} without a CSRF cookie")
        answer = self.client.post("/accounts/login/", [("login", self.email), ("password", self.password)])
        if answer.status != 302 or "sessionid" not in self.client.cookies:
            raise BenchError(f"sign-in of {self.email} answered {answer.status}: {snippet(answer.body)}")

    def _expect(self, workload: str, label: str, response: Response, pattern: str):
        ok = response.status == 302 and re.fullmatch(pattern, response.location) is not None
        self.samples.append(Sample(workload, label, response.started, response.ended, ok))
        if not ok:
            self.errors.append(
                f"{workload} {label}: HTTP {response.status} -> {response.location or '-'} {snippet(response.body)}"
            )
            time.sleep(0.05)  # a broken stack should not be hammered in a tight loop
            return None
        return re.fullmatch(pattern, response.location)

    def portal_submission(self, deadline: float) -> None:
        """One complete enquiry: the four steps of the form, the last of which submits it."""
        self.sequence += 1
        title = f"Bench {self.run_id} portal u{self.index} #{self.sequence}"
        c = self.client
        try:
            r = c.post(
                "/enquiries/new/",
                [
                    ("title", title),
                    ("kind", "bilateral_rd"),
                    ("disease_areas", self.vocabulary["disease_area"]),
                    ("capabilities", self.vocabulary["capability"]),
                ],
            )
            c.cookies.pop("messages", None)  # "Draft saved": a browser shows it on the next page, which drops it
            match = self._expect("portal", "needs", r, r"/enquiries/(\d+)/edit/project/")
            if match is None:
                return
            pk = int(match.group(1))
            first = r.started
            base = f"/enquiries/{pk}/edit"
            start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=60)).date().isoformat()
            r = c.post(
                f"{base}/project/",
                [
                    ("summary", SUMMARY),
                    ("objectives", OBJECTIVES),
                    ("budget_band", "50k_200k"),
                    ("wished_start", start),
                    ("duration_months", "18"),
                ],
            )
            if self._expect("portal", "project", r, rf"{base}/practical/") is None:
                return
            r = c.post(
                f"{base}/practical/",
                [
                    ("contact_name", f"Bench User {self.index}"),
                    ("contact_email", self.email),
                    ("signatory_name", "Jane Signatory"),
                    ("nda_required", "on"),
                    ("language", "en"),
                ],
                files=[("files", "non-confidential-deck.pdf", "application/pdf", small_pdf(title))],
            )
            if self._expect("portal", "practical", r, rf"{base}/review/") is None:
                return
            r = c.post(f"{base}/review/", [("consent", "on"), ("website", "")])
            if self._expect("portal", "review", r, rf"/enquiries/{pk}/sent/") is None:
                return
            c.cookies.pop("messages", None)
            self.acked_portal.append((pk, title))
            self.submissions.append((first, r.ended, r.ended <= deadline))
        except (OSError, http.client.HTTPException) as error:
            self.errors.append(f"portal: {type(error).__name__}: {error}")

    def floor_post(self, deadline: float) -> None:
        self.sequence += 1
        title = f"Bench {self.run_id} floor u{self.index} #{self.sequence}"
        start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=60)).date().isoformat()
        try:
            r = self.client.post(
                "/bench-floor/",
                [
                    ("title", title),
                    ("summary", SUMMARY),
                    ("objectives", OBJECTIVES),
                    ("budget_band", "50k_200k"),
                    ("wished_start", start),
                    ("duration_months", "18"),
                    ("contact_name", f"Bench User {self.index}"),
                    ("contact_email", self.email),
                    ("nda_required", "on"),
                    ("language", "en"),
                ],
                files=[("document", "non-confidential-deck.pdf", "application/pdf", small_pdf(title))],
            )
            match = self._expect("floor", "floor", r, r"/bench-floor/(\d+)/")
            if match is not None:
                self.acked_floor.append((int(match.group(1)), title))
        except (OSError, http.client.HTTPException) as error:
            self.errors.append(f"floor: {type(error).__name__}: {error}")

    def run(self, workload: str, deadline: float, budget: Budget) -> None:
        unit = self.portal_submission if workload == "portal" else self.floor_post
        while time.perf_counter() < deadline and budget.take():
            unit(deadline)


def snippet(body: bytes, size: int = 160) -> str:
    text = re.sub(r"\s+", " ", re.sub(rb"<[^>]+>", b" ", body[:4000]).decode("utf-8", "replace")).strip()
    return text[:size]


@dataclass
class Slice:
    workload: str
    start: float
    window_end: float  # the deadline, or earlier if --max stopped the workload: requests counted end by then
    end: float  # every user done (in-flight submissions finish after the deadline, uncounted)
    cpu: dict[str, float]  # CPU seconds over [start, end]: "app" (gunicorn), "db" (backends), "client"


class CpuMeter:
    """CPU time of the gunicorn processes and of the bench database's PostgreSQL backends, from /proc."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, gunicorn_pid: int, database: str):
        self.gunicorn_pid, self.database = gunicorn_pid, database

    @staticmethod
    def _stat(pid: int) -> tuple[int, float] | None:
        """(parent pid, CPU seconds) of a live process."""
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = text[text.rindex(")") + 2 :].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / CpuMeter.TICK

    def snapshot(self) -> dict[str, dict[int, float]]:
        from django.db import connection

        app = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = self._stat(int(entry.name))
                if stat and (stat[0] == self.gunicorn_pid or int(entry.name) == self.gunicorn_pid):
                    app[int(entry.name)] = stat[1]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
            )
            backends = [row[0] for row in cursor.fetchall()]
        db = {pid: stat[1] for pid in backends if (stat := self._stat(pid))}
        client = {0: time.process_time()}
        return {"app": app, "db": db, "client": client}

    @staticmethod
    def spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
        return {kind: sum(value - before[kind].get(pid, 0.0) for pid, value in after[kind].items()) for kind in after}


def run_slice(users: list[VirtualUser], workload: str, seconds: float, budget: Budget, meter: CpuMeter) -> Slice:
    """All users drive one workload for ``seconds``."""
    before = meter.snapshot()
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=u.run, args=(workload, deadline, budget)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = time.perf_counter()
    return Slice(workload, started, min(deadline, ended), ended, CpuMeter.spent(before, meter.snapshot()))


# ----------------------------------------------------------------------------------------------------------
# Figures


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Figures:
    n: int
    errors: int
    rps: float
    p50: float
    p95: float
    mean: float


def figures(latencies: list[float], errors: int, seconds: float) -> Figures:
    mean = sum(latencies) / len(latencies) if latencies else float("nan")
    rps = len(latencies) / seconds if seconds else float("nan")
    return Figures(len(latencies), errors, rps, percentile(latencies, 0.5), percentile(latencies, 0.95), mean)


def in_window(sample: Sample, start: float, end: float) -> bool:
    return start <= sample.started and sample.ended <= end


# ----------------------------------------------------------------------------------------------------------
# Database, server and integrity (the only code here that imports Django)


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def siren(number: int) -> str:
    """A valid SIREN (Luhn), different for each company."""
    from stdnum import luhn

    base = f"{73282932 + number:08d}"
    return base + luhn.calc_check_digit(base)


def prepare_database(count: int, run_id: str, password: str) -> tuple[list[str], dict[str, str]]:
    import django
    from django.core.management import call_command

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from partners.models import Capability, Company, CompanyMember, DiseaseArea

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = make_password(password)  # hashed once (PBKDF2 is slow on purpose), shared by every bench user
    emails = []
    for index in range(count):
        email = f"bench-{run_id}-{index}@company.example"
        user = get_user_model().objects.create(
            username=f"bench-{run_id}-{index}", email=email, password=hashed, first_name="Bench", last_name=f"U{index}"
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        company = Company.objects.create(
            legal_name=f"Bench Biotech {index}",
            country="FR",
            registration_number=siren(index),
            size="sme",
            sector="biopharma",
            is_startup=True,
        )
        CompanyMember.objects.create(company=company, user=user, job_title="Business developer")
        emails.append(email)
    vocabulary = {
        "disease_area": str(DiseaseArea.objects.get(code="aml").pk),
        "capability": str(Capability.objects.get(code="biomarkers").pk),
    }
    return emails, vocabulary


def check_integrity(users: list[VirtualUser], run_id: str, media_root: Path) -> list[str]:
    """Every acknowledged submission (and floor POST) is in the database exactly once, and nothing else is."""
    from django.db.models import Count

    from agreements.models import StageChange
    from bench.floor_app.models import FloorRecord
    from notifications.models import Notification
    from partners.models import Attachment, Enquiry

    problems: list[str] = []
    acked = {title: pk for u in users for pk, title in u.acked_portal}
    enquiries = Enquiry.objects.filter(title__startswith=f"Bench {run_id} portal ")
    rows = list(enquiries.values_list("pk", "title", "stage", "reference"))
    by_title: dict[str, list[tuple]] = {}
    for row in rows:
        by_title.setdefault(row[1], []).append(row)
    for title, pk in acked.items():
        found = by_title.get(title, [])
        if len(found) != 1:
            problems.append(f"{title}: acknowledged as enquiry {pk}, found {len(found)} rows")
        elif found[0][0] != pk or found[0][2] != "submitted" or not found[0][3]:
            problems.append(f"{title}: acknowledged as {pk}, row is {found[0]}")
    submitted = [row for row in rows if row[2] == "submitted"]
    unacked = [row for row in submitted if row[1] not in acked]
    if unacked:
        problems.append(f"{len(unacked)} submitted enquiries were never acknowledged, e.g. {unacked[:3]}")
    references = [row[3] for row in submitted]
    if len(set(references)) != len(references):
        problems.append("duplicate references among submitted enquiries")
    drafts = [row for row in rows if row[2] != "submitted"]
    pks = list(acked.values())
    attachments = Attachment.objects.filter(enquiry_id__in=pks)
    files = dict(attachments.values_list("enquiry").annotate(n=Count("pk")))
    for pk in pks:
        if files.get(pk) != 1:
            problems.append(f"enquiry {pk}: {files.get(pk, 0)} attachments instead of 1")
    missing_files = [name for name in attachments.values_list("file", flat=True) if not (media_root / name).is_file()]
    if missing_files:
        problems.append(f"{len(missing_files)} attachment files missing on disk")
    submits = dict(
        StageChange.objects.filter(enquiry_id__in=pks, transition="submit")
        .values_list("enquiry")
        .annotate(n=Count("pk"))
    )
    bad_changes = [pk for pk in pks if submits.get(pk) != 1]
    if bad_changes:
        problems.append(f"{len(bad_changes)} enquiries without exactly one 'submit' stage change")
    mails = Notification.objects.filter(template="enquiry_submitted", recipient__startswith=f"bench-{run_id}-")
    mail_refs = [context.get("reference") for context in mails.values_list("context", flat=True)]
    if sorted(mail_refs) != sorted(references) or mails.exclude(status="sent").exists():
        problems.append(
            f"confirmation e-mails: {len(mail_refs)} for {len(references)} submissions, "
            f"{mails.exclude(status='sent').count()} not sent"
        )
    floor_acked = {title: pk for u in users for pk, title in u.acked_floor}
    floor_rows = list(FloorRecord.objects.filter(title__startswith=f"Bench {run_id} floor ").values_list("pk", "title"))
    floor_by_title: dict[str, list[int]] = {}
    for pk, title in floor_rows:
        floor_by_title.setdefault(title, []).append(pk)
    for title, pk in floor_acked.items():
        if floor_by_title.get(title) != [pk]:
            problems.append(f"{title}: acknowledged as floor row {pk}, found {floor_by_title.get(title)}")
    extra = [title for title in floor_by_title if title not in floor_acked]
    if extra:
        problems.append(f"{len(extra)} floor rows never acknowledged")
    print(
        f"Integrity: {len(acked)} acknowledged submissions -> {len(submitted)} submitted enquiries "
        f"({len(set(references))} distinct references, {sum(files.values())} attachments, "
        f"{len(mail_refs)} confirmation e-mails sent); {len(drafts)} unfinished drafts; "
        f"{len(floor_acked)} acknowledged floor POSTs -> {len(floor_rows)} floor rows."
    )
    return problems


def check_confirmation_pages(users: list[VirtualUser], run_id: str) -> tuple[list[str], list[float]]:
    """Each user opens the confirmation page of each enquiry it submitted: it must show the stored reference."""
    from partners.models import Enquiry

    references = dict(
        Enquiry.objects.filter(title__startswith=f"Bench {run_id} portal ").values_list("pk", "reference")
    )
    problems: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def check(user: VirtualUser) -> None:
        for pk, _title in user.acked_portal:
            try:
                r = user.client.request("GET", f"/enquiries/{pk}/sent/")
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    problems.append(f"confirmation page of {pk}: {error}")
                continue
            with lock:
                latencies.append(r.seconds)
                if r.status != 200 or not references.get(pk) or references[pk].encode() not in r.body:
                    problems.append(f"confirmation page of {pk}: HTTP {r.status}, reference {references.get(pk)}")

    threads = [threading.Thread(target=check, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return problems, latencies


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "opale_portal.wsgi",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return process
            connection.close()
        except OSError:
            pass  # not listening yet: try again shortly
        time.sleep(0.2)
    process.terminate()
    raise BenchError(f"gunicorn did not answer /healthz within 60 s:\n{tail(log)}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means: use the in-process cache
        return False


def forget_cache_keys(url: str, prefix: str) -> None:
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    except Exception as error:  # noqa: BLE001 - leftover keys expire on their own
        print(f"(rate-limit keys of this run left in Redis, they expire within an hour: {error})")


# ----------------------------------------------------------------------------------------------------------
# Report


def report(users: list[VirtualUser], slices: list[Slice], args: argparse.Namespace, confirmation: list[float]) -> bool:
    samples = [s for u in users for s in u.samples]
    by_workload = {w: [sl for sl in slices if sl.workload == w] for w in ("portal", "floor")}
    seconds = {w: sum(sl.window_end - sl.start for sl in by_workload[w]) for w in by_workload}

    def measured(sample: Sample) -> bool:
        return any(in_window(sample, sl.start, sl.window_end) for sl in by_workload[sample.workload])

    def select(workload: str, label: str | None = None) -> tuple[list[float], int]:
        chosen = [s for s in samples if s.workload == workload and (label is None or s.label == label) and measured(s)]
        return [s.ended - s.started for s in chosen if s.ok], sum(1 for s in chosen if not s.ok)

    rows: list[tuple[str, Figures]] = []
    for step in PORTAL_STEPS:
        rows.append((f"portal POST {STEP_LABELS[step]}", figures(*select("portal", step), seconds["portal"])))
    portal = figures(*select("portal"), seconds["portal"])
    submit = figures(*select("portal", "review"), seconds["portal"])
    floor = figures(*select("floor"), seconds["floor"])
    rows += [("portal POSTs, all 4 steps", portal), ("floor POST (ModelForm + PDF -> 1 row)", floor)]
    whole = [end - start for u in users for start, end, counted in u.submissions if counted]
    sub = figures(whole, 0, seconds["portal"])

    print()
    print(
        f"Enquiry submission vs the bare Django floor: gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.concurrency} virtual users, {len(by_workload['portal'])} x {args.seconds / args.rounds:g} s per "
        f"workload (alternating), PostgreSQL, {args.cache_label}, eager Celery, DEBUG off"
    )
    print()
    header = f"{'request':<44}{'n':>7}{'err':>5}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}"
    print(header)
    print("-" * len(header))
    for name, f in rows:
        if name.startswith(("portal POSTs", "floor")):
            print("-" * len(header))
        print(
            f"{name:<44}{f.n:>7}{f.errors:>5}{f.rps:>9.1f}{f.p50 * 1000:>9.1f}{f.p95 * 1000:>9.1f}{f.mean * 1000:>9.1f}"
        )
    print("-" * len(header))
    print(
        f"{'whole submission (4 POSTs, end to end)':<44}{sub.n:>7}{'':>5}{sub.rps:>9.2f}"
        f"{sub.p50 * 1000:>9.1f}{sub.p95 * 1000:>9.1f}{sub.mean * 1000:>9.1f}"
    )
    if confirmation:
        conf = figures(confirmation, 0, 0)
        print(
            f"{'(after the run) GET confirmation page':<44}{conf.n:>7}{'':>5}{'':>9}"
            f"{conf.p50 * 1000:>9.1f}{conf.p95 * 1000:>9.1f}{conf.mean * 1000:>9.1f}"
        )

    # CPU per request over whole slices (tails included, so divided by every request of the slices): on a
    # CPU-bound machine its inverse is the capacity, and it hardly moves when other work shares the machine.
    cpu_per_request = {}
    for workload, chosen in by_workload.items():
        count = sum(
            1 for s in samples if s.workload == workload and any(in_window(s, sl.start, sl.end) for sl in chosen)
        )
        cpu_per_request[workload] = {
            kind: sum(sl.cpu[kind] for sl in chosen) / count * 1000 if count else float("nan")
            for kind in ("app", "db", "client")
        }
    server = {w: c["app"] + c["db"] for w, c in cpu_per_request.items()}
    print()
    print("CPU per request, all requests of the slices (from /proc):")
    for workload, name in (("portal", "portal POST (mean of 4 steps)"), ("floor", "floor POST")):
        c = cpu_per_request[workload]
        print(
            f"  {name:<31} server {server[workload]:5.1f} ms = gunicorn {c['app']:5.1f} + PostgreSQL {c['db']:4.1f}"
            f"; load generator {c['client']:4.1f} ms"
        )

    print()
    ratio_all = portal.rps / floor.rps if floor.rps else float("nan")
    # A closed loop of C users with no think time serves C / mean latency requests a second (Little's law):
    # the final submit's own throughput, were every request a submit, is C / its mean latency.
    concurrency = args.concurrency
    submit_capacity = concurrency / submit.mean if submit.mean else float("nan")
    floor_capacity = concurrency / floor.mean if floor.mean else float("nan")
    ratio_submit = submit_capacity / floor_capacity if floor_capacity else float("nan")
    per_round = []
    for p_slice, f_slice in zip(by_workload["portal"], by_workload["floor"], strict=False):
        p_n = sum(
            1 for s in samples if s.workload == "portal" and s.ok and in_window(s, p_slice.start, p_slice.window_end)
        )
        f_n = sum(
            1 for s in samples if s.workload == "floor" and s.ok and in_window(s, f_slice.start, f_slice.window_end)
        )
        if f_n:
            p_rate = p_n / (p_slice.window_end - p_slice.start)
            per_round.append(p_rate / (f_n / (f_slice.window_end - f_slice.start)))
    print("Ratios, portal / floor, for comparable single POSTs (same stack, same sign-in, same users):")
    print(
        f"  requests/s, all portal POSTs    {portal.rps:8.1f} / {floor.rps:8.1f} = {ratio_all:5.2f}x"
        f"   (p50 {portal.p50 * 1000:.1f} vs {floor.p50 * 1000:.1f} ms = {portal.p50 / floor.p50:.2f}x slower,"
        f" p95 {portal.p95 * 1000:.1f} vs {floor.p95 * 1000:.1f} ms = {portal.p95 / floor.p95:.2f}x)"
    )
    if per_round:
        print(
            f"    per round: {' '.join(f'{r:.2f}' for r in per_round)}"
            f"  (median {percentile(per_round, 0.5):.2f}, range {min(per_round):.2f}-{max(per_round):.2f})"
        )
    print(
        f"  requests/s, final submit alone  {submit_capacity:8.1f} / {floor_capacity:8.1f} = {ratio_submit:5.2f}x"
        f"   (C / mean latency; p50 {submit.p50 * 1000:.1f} vs {floor.p50 * 1000:.1f} ms"
        f" = {submit.p50 / floor.p50:.2f}x, p95 {submit.p95 * 1000:.1f} vs {floor.p95 * 1000:.1f} ms"
        f" = {submit.p95 / floor.p95:.2f}x)"
    )
    print(
        f"  server CPU per request          {server['portal']:8.1f} / {server['floor']:8.1f} ms"
        f" -> capacity ratio {server['floor'] / server['portal']:5.2f}x"
    )
    print(
        f"  whole submissions/s vs floor POSTs/s: {sub.rps:.2f} / {floor.rps:.1f} = {sub.rps / floor.rps:.2f}x"
        " (a submission is 4 POSTs: 0.25x is parity per request)"
    )
    met_all = ratio_all >= TARGET_RATIO
    met_submit = ratio_submit >= TARGET_RATIO
    print()
    print(
        f'Target "enquiry submission >= {TARGET_RATIO}x the bare Django floor" (per request): '
        f"{'MET' if met_all else 'NOT MET'} for the portal's POSTs ({ratio_all:.2f}x), "
        f"{'MET' if met_submit else 'NOT MET'} for the final submit alone ({ratio_submit:.2f}x)."
    )
    return met_all and met_submit


# ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per workload (default 20)")
    parser.add_argument("--concurrency", type=int, default=4, help="virtual users, one company each (default 4)")
    parser.add_argument("--slice", type=float, default=2, help="seconds per alternating slice (default 2)")
    parser.add_argument("--max", type=int, default=None, help="stop each workload after this many units")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker (default 2)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured units per user and workload first")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="opale_bench", help="dropped and recreated (default opale_bench)")
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0"),
        help="the portal's CACHE_URL (rate limits, sign-in lockouts); the in-process cache if unreachable",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and temporary files")
    args = parser.parse_args(argv)
    args.rounds = max(1, round(args.seconds / args.slice))
    if args.concurrency < 1 or args.concurrency > 25:
        parser.error("--concurrency must be between 1 and 25 (sign-ins are rate limited to 30 a minute)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_id = secrets.token_hex(3)
    work = Path(tempfile.mkdtemp(prefix="opale-bench-"))
    media_root, static_root, log = work / "media", work / "static", work / "gunicorn.log"
    database_url = f"{args.postgres.rstrip('/')}/{args.database}"
    admin_url = f"{args.postgres.rstrip('/')}/postgres"
    cache_prefix = f"opale-bench-{run_id}"
    if redis_reachable(args.cache_url):
        cache_url, args.cache_label = args.cache_url, "Redis cache"
    else:
        cache_url, args.cache_label = "locmemcache://opale-bench", "in-process cache (Redis unreachable)"
    password = secrets.token_urlsafe(18)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; no TLS proxy in front
            "SECURE_HSTS_SECONDS": "0",
            "PROXY_COUNT": "0",  # no proxy: django-axes reads the client address from REMOTE_ADDR
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "BENCH_CACHE_PREFIX": cache_prefix,
            "EMAIL_URL": "dummymail://",  # the outbox and the eager task run; the message goes nowhere
            "ENQUIRY_SUBMIT_RATE": "1000000/h",  # 60/h per member would stop a virtual user within a minute
            "MEDIA_ROOT": str(media_root),
            "BENCH_STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    os.environ.clear()
    os.environ.update(env)
    gunicorn = None
    users: list[VirtualUser] = []
    created = False
    exit_code = 0
    t0 = time.monotonic()
    try:
        print(f"Run {run_id}: database {args.database}, files in {work}; load average {load()}")
        recreate_database(admin_url, args.database)
        created = True
        emails, vocabulary = prepare_database(args.concurrency, run_id, password)
        port = free_port()
        print(f"Database ready ({time.monotonic() - t0:.0f} s); starting gunicorn on 127.0.0.1:{port}")
        gunicorn = start_gunicorn(env, port, args.workers, args.threads, log)
        for index, email in enumerate(emails):
            user = VirtualUser(index, Client("127.0.0.1", port), email, password, run_id, vocabulary)
            user.sign_in()
            users.append(user)
        warm = [threading.Thread(target=warm_up, args=(u, args.warmup)) for u in users]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        warm_errors = [e for u in users for e in u.errors]
        if any(not u.acked_portal for u in users) or any(not u.acked_floor for u in users):
            raise BenchError("warm-up failed:\n  " + "\n  ".join(warm_errors[:10]) + f"\n{tail(log)}")
        if warm_errors:
            print(f"{len(warm_errors)} requests failed during the warm-up, e.g. {warm_errors[0]}")
        for u in users:
            u.samples.clear()
            u.submissions.clear()
            u.errors.clear()
        print(f"{len(users)} users signed in and warmed up ({time.monotonic() - t0:.0f} s); measuring")
        slices: list[Slice] = []
        budgets = {"portal": Budget(args.max), "floor": Budget(args.max)}
        meter = CpuMeter(gunicorn.pid, args.database)
        for number in range(args.rounds):
            order = ("floor", "portal") if number % 2 == 0 else ("portal", "floor")
            for workload in order:
                slices.append(run_slice(users, workload, args.seconds / args.rounds, budgets[workload], meter))
        errors = [e for u in users for e in u.errors]
        print(f"Measured ({time.monotonic() - t0:.0f} s); load average {load()}")
        problems, confirmation = check_confirmation_pages(users, run_id)
        met = report(users, slices, args, confirmation)
        print()
        problems = check_integrity(users, run_id, media_root) + problems
        if errors:
            print(f"{len(errors)} requests failed, e.g.:\n  " + "\n  ".join(errors[:5]))
        log_lines = log.read_text(errors="replace").splitlines()
        tracebacks = [number for number, line in enumerate(log_lines) if line.startswith("Traceback")]
        if tracebacks:
            problems.append(f"{len(tracebacks)} tracebacks in the gunicorn log; the first one:")
            first = tracebacks[0]
            problems.extend("  " + line for line in log_lines[max(0, first - 1) : first + 60])
        if problems:
            print("INTEGRITY CHECK FAILED:\n  " + "\n  ".join(problems[:80]))
            exit_code = 1
        else:
            print("Integrity check passed: every acknowledged submission is in the database exactly once.")
        if not met:
            print(f"(The {TARGET_RATIO}x target is not met; the exit status reflects the integrity check only.)")
    except BenchError as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        exit_code = 2
    finally:
        for user in users:
            user.client.close()
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if cache_url.startswith("redis"):
            forget_cache_keys(cache_url, cache_prefix)
        if args.keep:
            print(f"Kept database {args.database} and {work}")
        else:
            if created:
                drop_database(admin_url, args.database)
            remove_tree(work)
            print(f"gunicorn stopped, database {args.database} dropped, {work} removed.")
        print(f"Done in {time.monotonic() - t0:.0f} s.")
    return exit_code


def warm_up(user: VirtualUser, count: int) -> None:
    """Unmeasured: loads each worker's code, templates, and database connection before the clock starts."""
    far = time.perf_counter() + 3600
    for _ in range(max(1, count)):
        user.portal_submission(far)
        user.floor_post(far)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
