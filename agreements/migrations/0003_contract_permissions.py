"""The role groups' permissions on contracts: the central team all of them, legal staff and entity contacts
to read (each within their scope; steps are checked by agreements.rules)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["view_agreement", "view_agreementparty"]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    contracts = Permission.objects.filter(content_type__app_label="agreements")
    for name, perms in (
        ("Central team", contracts),
        ("Legal staff", contracts.filter(codename__in=READ)),
        ("Entity contact", contracts.filter(codename__in=READ)),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_contracts"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
