from django.db import migrations


def create_role_groups(apps, schema_editor):
    from callcenter.services.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contacts", "0001_initial"),
        ("telephony", "0001_initial"),
        ("campaigns", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
