"""The private file storage: dossier files, the data store, e-form uploads (never served from MEDIA_URL)."""

from django.core.files.storage import Storage


class _PrivateStorage(Storage):
    """Delegates every call to ``storages["private"]`` as configured *now*.

    Django evaluates a callable ``storage`` once, when the model class is built;
    resolving the alias on each use instead keeps uploads in the storage the
    settings name at that moment (e.g. a test's temporary directory).
    """

    def _target(self):
        from django.core.files.storage import storages

        return storages["private"]

    def __getattr__(self, name):
        return getattr(self._target(), name)


for _name in (
    "open",
    "save",
    "get_valid_name",
    "get_alternative_name",
    "get_available_name",
    "generate_filename",
    "path",
    "delete",
    "exists",
    "listdir",
    "size",
    "url",
    "get_accessed_time",
    "get_created_time",
    "get_modified_time",
):
    setattr(_PrivateStorage, _name, (lambda n: lambda self, *a, **k: getattr(self._target(), n)(*a, **k))(_name))

_private_storage = _PrivateStorage()


def private_storage():
    """The ``storage`` of private files (served only through permission-checked views, never from MEDIA_URL)."""
    return _private_storage
