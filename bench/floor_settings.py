"""The portal's settings, plus the floor app and its URLs: nothing else differs (bench/README.md).

Read from the environment like the portal's own settings; two bench-only variables:
BENCH_STATIC_ROOT, where ``collectstatic`` put the files whitenoise's manifest storage needs when DEBUG is
off, and BENCH_CACHE_PREFIX, a per-run cache key prefix so rate-limit counters of an earlier run never count.
"""

import os

from opale_portal.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor_app"]  # noqa: F405
ROOT_URLCONF = "bench.floor_urls"
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "")  # noqa: F405
