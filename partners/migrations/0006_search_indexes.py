"""Trigram indexes for the triage queue's search (PostgreSQL only).

The admin searches with ``UPPER(column::text) LIKE UPPER('%word%')``; a GIN trigram index on exactly that
expression answers it without reading the table. SQLite has no such index; its search stays a scan.
"""

from django.db import migrations

INDEXES = {
    "enquiry_search_reference": ("partners_enquiry", "reference"),
    "enquiry_search_title": ("partners_enquiry", "title"),
    "enquiry_search_summary": ("partners_enquiry", "summary"),
    "company_search_legal_name": ("partners_company", "legal_name"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0005_triage_queue")]

    operations = [migrations.RunPython(create, drop)]
