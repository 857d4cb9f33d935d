from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback and ratings")

    def ready(self):
        # The result notices carry the rating link; the outbox (a lower layer) learns of it here.
        from feedback.ratings import RATING_NOTICE_KINDS, rating_notice_context
        from workflow import notifications

        notifications.register_context(RATING_NOTICE_KINDS, rating_notice_context)
