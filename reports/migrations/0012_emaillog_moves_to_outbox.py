# The email log moves to the outbox app, which every sending app uses; its table stays where it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0011_labels_and_account_kinds'),
        ('outbox', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='EmailLog')],
            database_operations=[],
        ),
    ]
