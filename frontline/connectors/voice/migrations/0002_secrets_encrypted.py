import frontline.security.fields
from django.db import migrations

from frontline.security.migration_steps import encrypt_stored, redact_events


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('voice_connector', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='voiceline',
            name='twilio_auth_token',
            field=frontline.security.fields.EncryptedSecretField(blank=True, default='', help_text="Signs Twilio's webhooks. Prefer the environment variable.", secret_max_length=128),
        ),
        # Values stored in the clear before are encrypted; secrets earlier versions wrote into the
        # event log (admin edits recorded every changed field) are taken out of it.
        migrations.RunPython(encrypt_stored('voice_connector', 'voiceline', ['twilio_auth_token']), migrations.RunPython.noop),
        migrations.RunPython(redact_events('voiceline', ['twilio_auth_token']), migrations.RunPython.noop),
    ]
