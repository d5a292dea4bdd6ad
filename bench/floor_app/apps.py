from django.apps import AppConfig


class FloorAppConfig(AppConfig):
    """Bench-only app: the bare Django floor that enquiry submission is compared with (bench/README.md)."""

    name = "bench.floor_app"
    label = "floor_app"
    default_auto_field = "django.db.models.BigAutoField"
