# The external IDs' model moves from api to imports with the import engine (#17.4). Only Django's
# state moves: the table keeps its name (db_table "api_externalref") and its rows.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0002_preview_jobs'),
        ('api', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ExternalRef',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=30, verbose_name='kind')),
                        ('external_id', models.CharField(max_length=64, verbose_name='external ID')),
                        ('object_id', models.BigIntegerField(verbose_name='object id')),
                    ],
                    options={
                        'verbose_name': 'external reference',
                        'verbose_name_plural': 'external references',
                        'db_table': 'api_externalref',
                        'constraints': [models.UniqueConstraint(fields=('kind', 'external_id'), name='uniq_external_id'), models.UniqueConstraint(fields=('kind', 'object_id'), name='uniq_external_object')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
