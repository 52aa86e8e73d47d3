import frontline.security.fields
from django.db import migrations

from frontline.security.migration_steps import encrypt_stored, redact_events


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhooksubscription',
            name='secret',
            field=frontline.security.fields.EncryptedSecretField(blank=True, default='', help_text='Signing secret; shown once by the API when created or rotated.', secret_max_length=100),
        ),
        # Values stored in the clear before are encrypted; secrets earlier versions wrote into the
        # event log (admin edits recorded every changed field) are taken out of it.
        migrations.RunPython(encrypt_stored('webhooks', 'webhooksubscription', ['secret']), migrations.RunPython.noop),
        migrations.RunPython(redact_events('webhooksubscription', ['secret']), migrations.RunPython.noop),
    ]
