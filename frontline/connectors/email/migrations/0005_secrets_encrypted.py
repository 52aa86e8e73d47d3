import frontline.security.fields
from django.db import migrations

from frontline.security.migration_steps import encrypt_stored, redact_events


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('email_connector', '0004_outboundemail_automatic_mail'),
    ]

    operations = [
        migrations.AlterField(
            model_name='mailbox',
            name='imap_password',
            field=frontline.security.fields.EncryptedSecretField(blank=True, default='', help_text='Stored encrypted; or name an environment variable (below).', secret_max_length=255),
        ),
        migrations.AlterField(
            model_name='mailbox',
            name='inbound_secret_digest',
            field=frontline.security.fields.SecretDigestField(blank=True, help_text='SHA-256 of the secret that authorises raw MIME posted over HTTP.', max_length=64),
        ),
        # Values stored in the clear before are encrypted; secrets earlier versions wrote into the
        # event log (admin edits recorded every changed field) are taken out of it.
        migrations.RunPython(encrypt_stored('email_connector', 'mailbox', ['imap_password']), migrations.RunPython.noop),
        migrations.RunPython(redact_events('mailbox', ['imap_password', 'inbound_secret_digest']), migrations.RunPython.noop),
    ]
