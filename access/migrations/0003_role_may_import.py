from django.db import migrations, models


def registrars_import(apps, schema_editor):
    """The standard Registrar role keeps the contingent: it holds the import right from the start."""
    Role = apps.get_model("access", "Role")
    Role.objects.filter(kind="registrar").update(may_import=True)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="role",
            name="may_import",
            field=models.BooleanField(default=False, verbose_name="May import the college's data"),
        ),
        migrations.RunPython(registrars_import, migrations.RunPython.noop),
    ]
