"""Who imported which file, recorded once an import rather than on each of its audit rows.

A returns import's value changes name their ImportRecord (user, time, file
name and SHA-256); their own actor and file columns stay empty. Earlier rows
keep theirs: ValueChange.who and .file read either.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0008_constraints'),
        ('returns', '0010_fewer_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('file_name', models.CharField(max_length=255)),
                ('file_sha256', models.CharField(max_length=64)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='valuechange',
            name='import_record',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='value_changes', to='returns.importrecord'),
        ),
        migrations.AddConstraint(
            model_name='valuechange',
            constraint=models.CheckConstraint(condition=models.Q(('import_record__isnull', True), models.Q(('actor__isnull', True), ('file_name', ''), ('file_sha256', '')), _connector='OR'), name='value_change_import_says_who'),
        ),
    ]
