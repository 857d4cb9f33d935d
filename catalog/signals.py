"""Keep what is derived from the catalog in step with it: every change of a procedure, its agencies, a
sector or an agency bumps the catalog version (:func:`catalog.search.bump_catalog_version`), which rebuilds
the search index and renews the cached catalog list fragments. Imports save row by row, so they are
covered; bulk loads that bypass ``save()`` run ``manage.py rebuild_search_index``."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from catalog.search import bump_catalog_version


def connect():
    from catalog.models import Agency, Procedure, Sector

    for model in (Procedure, Sector, Agency):
        post_save.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-version-save-{model.__name__}")
        post_delete.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-version-delete-{model.__name__}")
    m2m_changed.connect(bump_catalog_version, sender=Procedure.agencies.through, dispatch_uid="catalog-version-m2m")
