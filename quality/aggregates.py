"""Percentiles computed by the database: PostgreSQL's ``percentile_cont``; on SQLite (the embedded default) the
same function registered on each connection, so the dashboard's queries are one code path on both."""

from __future__ import annotations

import math

from django.db.models import Aggregate, FloatField


class Percentile(Aggregate):
    """The continuous percentile (linear interpolation) of the non-null values, as PostgreSQL computes it."""

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="%(function)s(%(expressions)s, %(fraction)s)", **extra_context
        )


class SqlitePercentile:
    """``percentile_cont(value, fraction)`` for SQLite: the same interpolation as PostgreSQL."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        position = self.fraction * (len(values) - 1)
        low, high = math.floor(position), math.ceil(position)
        return values[low] + (values[high] - values[low]) * (position - low)


def percentile_of_counts(histogram: list[tuple[int, int]], fraction: float) -> float | None:
    """``percentile_cont`` over values given as (value, how many times), sorted by value."""
    total = sum(count for _value, count in histogram)
    if not total:
        return None
    position = fraction * (total - 1)
    low, high = math.floor(position), math.ceil(position)

    def value_at(index: int):
        seen = 0
        for value, count in histogram:
            seen += count
            if index < seen:
                return value
        return histogram[-1][0]

    low_value, high_value = value_at(low), value_at(high)
    return low_value + (high_value - low_value) * (position - low)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("percentile_cont", 2, SqlitePercentile)
