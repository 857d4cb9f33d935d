from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0004_late_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="claim_token",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
    ]
