"""What every model with a protected django-fsm stage needs (the enquiry, the contract)."""

from __future__ import annotations


class ProtectedStageMixin:
    """Only transitions set the ``stage`` field (``protected=True``); reloading and validating must not.

    django-fsm's FSMModelMixin switches ``protected`` off on the field, which every thread shares, while it
    reloads: another thread's request could then fail, or assign the stage. Forgetting our copy of the stage
    first lets Django set it again without touching the field. ``clean_fields`` would re-assign it and fail."""

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        if fields is None:
            deferred = self.get_deferred_fields()
            fields = [f.attname for f in self._meta.concrete_fields if f.attname not in deferred]
        if "stage" in fields:
            self.__dict__.pop("stage", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    def clean_fields(self, exclude=None) -> None:
        super().clean_fields(exclude={*(exclude or ()), "stage"})
