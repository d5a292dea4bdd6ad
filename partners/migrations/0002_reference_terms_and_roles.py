"""Vocabularies of DOMAIN.md section 6 and the three staff roles, present in every database (not demo data)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

DISEASE_AREAS = [
    ("aml", "Acute myeloid leukemia (AML)", "Leucémie aiguë myéloïde (LAM)"),
    ("all", "Acute lymphoblastic leukemia (ALL)", "Leucémie aiguë lymphoblastique (LAL)"),
    ("cml", "Chronic myeloid leukemia (CML)", "Leucémie myéloïde chronique (LMC)"),
    ("cll", "Chronic lymphocytic leukemia (CLL)", "Leucémie lymphoïde chronique (LLC)"),
    ("mds", "Myelodysplastic syndromes (MDS)", "Syndromes myélodysplasiques (SMD)"),
    ("mpn", "Myeloproliferative neoplasms (MPN)", "Néoplasies myéloprolifératives (NMP)"),
    ("lymphoma", "Lymphomas", "Lymphomes"),
    ("myeloma", "Multiple myeloma", "Myélome multiple"),
    ("paediatric", "Paediatric leukemia", "Leucémies de l'enfant"),
]

CAPABILITIES = [
    ("target_discovery", "Target discovery", "Découverte de cibles"),
    ("screening_small_molecules", "Compound screening: small molecules", "Criblage de petites molécules"),
    ("screening_biologics", "Compound screening: biologics", "Criblage de biomédicaments"),
    ("screening_cell_therapies", "Screening of cell therapies", "Criblage de thérapies cellulaires"),
    ("biomarkers", "Biomarkers", "Biomarqueurs"),
    ("preclinical_models", "Preclinical models", "Modèles précliniques"),
    ("clinical_trials", "Clinical validation and trials", "Validation clinique et essais"),
    ("real_world_data", "Real-world data", "Données de vie réelle"),
    ("cart_bioproduction", "Bioproduction of CAR-T batches", "Bioproduction de lots de CAR-T"),
    ("biological_samples", "Biological samples", "Échantillons biologiques"),
]

VIEW_SCOPED = [
    "view_enquiry", "view_routing", "view_message", "view_attachment", "view_company",
    "view_entity", "view_governingbody", "view_governance", "view_stagechange",
    "view_diseasearea", "view_capability",
]
ROLES = {
    "Central team": None,  # every permission of the portal's apps
    "Entity contact": VIEW_SCOPED + ["change_routing", "add_message"],
    "Legal staff": VIEW_SCOPED + ["add_message"],
}


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    for model_name, rows in (("DiseaseArea", DISEASE_AREAS), ("Capability", CAPABILITIES)):
        model = apps.get_model("partners", model_name)
        for position, (code, name_en, name_fr) in enumerate(rows):
            model.objects.update_or_create(
                code=code, defaults={"name_en": name_en, "name_fr": name_fr, "position": position}
            )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    portal = Permission.objects.filter(content_type__app_label__in=["partners", "agreements"])
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = portal if codenames is None else portal.filter(codename__in=codenames)
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("agreements", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
