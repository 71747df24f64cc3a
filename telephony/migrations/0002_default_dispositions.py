from django.db import migrations


def create_dispositions(apps, schema_editor):
    from telephony.services.defaults import ensure_default_dispositions

    ensure_default_dispositions(apps)


class Migration(migrations.Migration):
    dependencies = [("telephony", "0001_initial")]
    operations = [migrations.RunPython(create_dispositions, migrations.RunPython.noop)]
