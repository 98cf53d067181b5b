from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("college", "0003_student_iin")]

    operations = [
        migrations.AddField(
            model_name="stream",
            name="follows_groups",
            field=models.BooleanField(default=True, verbose_name="students follow the groups"),
        ),
    ]
