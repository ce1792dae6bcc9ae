from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.ForeignKeyField('models.Network', source_field='network_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('description_html', fields.TextField(default='', unique=False)),
                ('sectors', fields.CharField(default='', max_length=300)),
                ('status', fields.CharField(default='draft', max_length=10)),
                ('audience', fields.CharField(default='network', max_length=12)),
                ('venue', fields.CharField(default='', max_length=300)),
                ('province', fields.CharField(default='', max_length=2)),
                ('online_url', fields.CharField(default='', max_length=500)),
                ('capacity', fields.IntField()),
                ('confirmed_count', fields.IntField(default=0)),
                ('registration_opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('registration_closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancel_cutoff_hours', fields.IntField(default=24)),
                ('attendance_threshold', fields.IntField(default=75)),
                ('questions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('starts_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='events_created', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'event', 'app': 'models', 'indexes': [Index(fields=['network_id', 'status', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'A training event of a network, with one or more sessions.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventCooperative',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='audience_rows', on_delete=OnDelete.CASCADE)),
                ('cooperative', fields.ForeignKeyField('models.Cooperative', source_field='cooperative_id', db_constraint=True, to_field='id', related_name='event_audiences', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'event_cooperative', 'app': 'models', 'unique_together': (('event', 'cooperative'),), 'pk_attr': 'id', 'table_description': "A cooperative chosen as the audience of an event (audience 'cooperatives')."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('hours', fields.DecimalField(default=0, max_digits=5, decimal_places=2)),
            ],
            options={'table': 'event_session', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One dated session of an event, in UTC (shown in Europe/Rome).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Registration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.ForeignKeyField('models.Network', source_field='network_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=10)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('registered_by', fields.ForeignKeyField('models.Person', source_field='registered_by_id', null=True, db_constraint=True, to_field='id', related_name='registrations_made', on_delete=OnDelete.SET_NULL)),
                ('queued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registration', 'app': 'models', 'unique_together': (('event', 'person'),), 'indexes': [Index(fields=['network_id', 'event_id', 'status', 'queued_at'])], 'pk_attr': 'id', 'table_description': "A person's place at an event: confirmed, waiting (in arrival order) or cancelled."},
            bases=['Model'],
        ),
    ]
