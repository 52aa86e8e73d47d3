import frontline.security.fields
from django.db import migrations

from frontline.security.migration_steps import encrypt_stored, redact_events


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('messaging_connector', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='messagingaccount',
            name='access_token',
            field=frontline.security.fields.EncryptedSecretField(blank=True, default='', help_text='Meta: the page or system-user access token. X: an OAuth 2.0 user-context token with dm.write. Twilio: not used (the auth token signs in).'),
        ),
        migrations.AlterField(
            model_name='messagingaccount',
            name='signing_secret',
            field=frontline.security.fields.EncryptedSecretField(blank=True, default='', help_text='Twilio: the auth token. Meta: the app secret. X: the consumer (API key) secret.', secret_max_length=255),
        ),
        migrations.AlterField(
            model_name='messagingaccount',
            name='verify_token',
            field=frontline.security.fields.EncryptedSecretField(blank=True, default='', help_text='Meta: the verify token typed when subscribing the URL.', secret_max_length=255),
        ),
        # Values stored in the clear before are encrypted; secrets earlier versions wrote into the
        # event log (admin edits recorded every changed field) are taken out of it.
        migrations.RunPython(encrypt_stored('messaging_connector', 'messagingaccount', ['signing_secret', 'verify_token', 'access_token']), migrations.RunPython.noop),
        migrations.RunPython(redact_events('messagingaccount', ['signing_secret', 'verify_token', 'access_token']), migrations.RunPython.noop),
    ]
