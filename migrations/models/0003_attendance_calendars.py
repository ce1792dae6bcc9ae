from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_events')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attendance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.ForeignKeyField('models.Network', source_field='network_id', db_constraint=True, to_field='id', related_name='attendances', on_delete=OnDelete.CASCADE)),
                ('registration', fields.ForeignKeyField('models.Registration', source_field='registration_id', db_constraint=True, to_field='id', related_name='attendances', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('models.EventSession', source_field='session_id', db_constraint=True, to_field='id', related_name='attendances', on_delete=OnDelete.CASCADE)),
                ('checked_in_by', fields.ForeignKeyField('models.Person', source_field='checked_in_by_id', null=True, db_constraint=True, to_field='id', related_name='check_ins_made', on_delete=OnDelete.SET_NULL)),
                ('checked_in_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attendance', 'app': 'models', 'unique_together': (('registration', 'session'),), 'indexes': [Index(fields=['network_id', 'session_id'])], 'pk_attr': 'id', 'table_description': 'A person checked in at one session.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='calendar_tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'calendar_token', 'app': 'models', 'pk_attr': 'id', 'table_description': "The secret of a person's iCal feed URL, revocable. Only its SHA-256 is stored."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.ForeignKeyField('models.Network', source_field='network_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.CASCADE)),
                ('registration', fields.OneToOneField('models.Registration', source_field='registration_id', db_constraint=True, to_field='id', related_name='certificate', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=20)),
                ('hours', fields.DecimalField(max_digits=7, decimal_places=2)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'certificate', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A certificate of attendance, verifiable by its code on a public page.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReminderSent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.ForeignKeyField('models.Network', source_field='network_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('registration', fields.ForeignKeyField('models.Registration', source_field='registration_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('models.EventSession', source_field='session_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reminder_sent', 'app': 'models', 'unique_together': (('registration', 'session'),), 'pk_attr': 'id', 'table_description': 'A reminder already queued for one registration and session: the unique key makes it exactly once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.ForeignKeyField('models.Network', source_field='network_id', db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.CASCADE)),
                ('registration', fields.OneToOneField('models.Registration', source_field='registration_id', db_constraint=True, to_field='id', related_name='survey_response', on_delete=OnDelete.CASCADE)),
                ('scores', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_response', 'app': 'models', 'indexes': [Index(fields=['network_id', 'event_id'])], 'pk_attr': 'id', 'table_description': "One registered person's satisfaction survey: scores 1–5 and a comment."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Event',
            name='sequence',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Event',
            name='survey_questions',
            field=fields.JSONField(null=True, default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
