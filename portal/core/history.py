"""django-simple-history for modelcluster children.

simple-history copies a ParentalKey as a ParentalKey with related_name='+',
which modelcluster rejects; in the history table a plain foreign key is what
we want anyway.
"""

from django.db import models
from modelcluster.fields import ParentalKey
from simple_history.models import HistoricalRecords


class ChildHistoricalRecords(HistoricalRecords):
    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for field in fields.values():
            if isinstance(field, ParentalKey):
                field.__class__ = models.ForeignKey
        return fields
