"""huey tasks: thin wrappers around services."""

from huey.contrib.djhuey import db_task


@db_task()
def catalog_import_run(run_id):
    """A confirmed catalog import (catalog/import_runs.py), off the web request."""
    from catalog.import_runs import import_run_execute

    import_run_execute(run_id=run_id)


@db_task()
def refresh_reference_index(app_label, model_name, pks):
    """Wagtail's reference index ("usage") of the rows an import wrote, once it is committed."""
    from django.apps import apps
    from wagtail.models import ReferenceIndex

    model = apps.get_model(app_label, model_name)
    for instance in model.objects.filter(pk__in=pks).iterator(chunk_size=500):
        ReferenceIndex.create_or_update_for_object(instance)
