"""The default complaint reason codes (configurable in the admin)."""

from django.db import migrations

REASONS = [
    ("product_defect", "Product defect"),
    ("delivery", "Delivery"),
    ("billing", "Billing"),
    ("staff_conduct", "Staff conduct"),
    ("installation", "Installation or service visit"),
    ("wait_time", "Waiting time"),
    ("other", "Other"),
]


def add(apps, schema_editor):
    reason = apps.get_model("remedies", "ComplaintReason")
    for position, (code, name) in enumerate(REASONS):
        reason.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10})


def remove(apps, schema_editor):
    apps.get_model("remedies", "ComplaintReason").objects.filter(code__in=[c for c, _ in REASONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("remedies", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
