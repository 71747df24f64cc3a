from django.db import migrations


def resync_role_groups(apps, schema_editor):
    # Supervisors and agents keep view-only admin; calls are no longer changeable there by
    # any role group (superusers only). See callcenter.services.roles.ROLE_PERMISSIONS.
    from callcenter.services.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0003_rate_counters"),
        ("contacts", "0003_erasure"),
        ("telephony", "0008_did_status_unknown"),
        ("campaigns", "0003_hosted_doubt"),
    ]

    operations = [migrations.RunPython(resync_role_groups, migrations.RunPython.noop)]
