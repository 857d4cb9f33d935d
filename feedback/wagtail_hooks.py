"""Feedback in the Wagtail admin: the "Feedback" menu (queue, enter, ratings, questions) and the category list."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from feedback import admin_views as views
from feedback.models import FeedbackCategory
from feedback.selectors import feedback_counts
from feedback.services import can_handle_feedback


class HandlerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_handle_feedback(request.user)


class FeedbackMenu(SubmenuMenuItem):
    def is_shown(self, request):
        return can_handle_feedback(request.user)


class FeedbackViewSet(ViewSet):
    name = "feedback_admin"
    url_prefix = "feedback"
    icon = "mail"
    menu_label = _("Feedback")
    menu_name = "feedback"
    menu_order = 120
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", views.QueueView.as_view(), name="index"),
            path("new/", views.EnterView.as_view(), name="new"),
            path("<int:pk>/", views.DetailView.as_view(), name="detail"),
            path("<int:pk>/actions/<slug:action>/", views.ActionView.as_view(), name="action"),
            path("ratings/", views.RatingsView.as_view(), name="ratings"),
            path("questions/", views.QuestionQueueView.as_view(), name="questions"),
            path("questions/<int:pk>/", views.QuestionDetailView.as_view(), name="question"),
        ]

    def get_menu_item(self, order=None):
        def item(label, url_name, icon, item_order):
            return HandlerMenuItem(
                label, reverse(f"{self.name}:{url_name}"), name=f"feedback-{url_name}", icon_name=icon, order=item_order
            )

        submenu = Menu(
            items=[
                item(_("Feedback queue"), "index", "list-ul", 1),
                item(_("Enter letter / phone / fax / e-mail feedback"), "new", "plus", 2),
                item(_("Satisfaction ratings"), "ratings", "pick", 3),
                item(_("Citizens' questions"), "questions", "help", 4),
            ]
        )
        return FeedbackMenu(
            self.menu_label, submenu, name=self.menu_name, icon_name=self.icon, order=self.get_menu_item_order(order)
        )


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    return FeedbackViewSet()


class FeedbackCategoryViewSet(SnippetViewSet):
    """The classification list (QT 26.1), edited by the centre."""

    model = FeedbackCategory
    icon = "tag"
    menu_label = _("Feedback categories")
    menu_name = "feedback-categories"
    add_to_settings_menu = True
    list_display = ["name", "sort_order", "is_active"]
    search_fields = ["name"]


register_snippet(FeedbackCategoryViewSet)


class FeedbackCountsPanel(Component):
    name = "feedback_counts"
    template_name = "feedback/admin/dashboard_panel.html"
    order = 60

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {"counts": feedback_counts(self.request.user), "url": reverse("feedback_admin:index")}


@hooks.register("construct_homepage_panels")
def add_feedback_panel(request, panels):
    if can_handle_feedback(request.user):
        panels.append(FeedbackCountsPanel(request))
