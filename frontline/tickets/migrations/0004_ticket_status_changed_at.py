from django.db import migrations, models


def backfill(apps, schema_editor):
    """Tickets opened before the field existed: their last update is the best guess we have."""
    Ticket = apps.get_model("tickets", "Ticket")
    Ticket.objects.filter(status_changed_at__isnull=True).update(status_changed_at=models.F("updated_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0003_ticket_linked_to"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="status_changed_at",
            field=models.DateTimeField(
                blank=True, db_index=True, help_text="When the ticket entered its current status.", null=True
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
