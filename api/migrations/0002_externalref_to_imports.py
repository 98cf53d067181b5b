# The external IDs' model now belongs to imports (imports/migrations/0003_externalref.py): api
# forgets it in Django's state only, so its table and rows stay (#17.4).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_initial'),
        ('imports', '0003_externalref'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ExternalRef')],
            database_operations=[],
        ),
    ]
