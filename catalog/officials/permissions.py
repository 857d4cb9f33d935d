"""Wagtail permission policy, chooser and bulk delete for unit-owned admin objects (DESIGN §10).

Processes, e-forms (and their versions) and slip templates belong to a unit. Their snippet screens are scoped
by the app's selectors (``process_queryset_for``, ``eform_queryset_for`` … all built on
:mod:`catalog.officials.scoping`), but Wagtail also reaches these objects through generic views that know nothing of
units: the snippet chooser, the bulk-action confirmation, the editing-session ping, the "edit" links of the
admin URL finder. They all ask the model's registered permission policy, so the scope is enforced here once:

* :class:`UnitScopedPermissionPolicy`: the model permissions (``app.change_model`` …) *and* the instance must
  be in the user's scope: ``visible(user)`` for "view", ``manageable(user)`` for every other action;
* :class:`UnitScopedChooserViewSet`: the snippet chooser lists and returns only the visible objects (another
  unit's id is a 404);
* :class:`UnitScopedDeleteBulkAction`: the bulk-delete confirmation names only visible objects (another unit's
  ids are dropped; only such ids: 404).

Register a model with ``register_permission_policy(Model, UnitScopedPermissionPolicy(Model, visible=…,
manageable=…))`` *before* its snippet viewset, and set ``chooser_viewset_class = UnitScopedChooserViewSet`` on
the viewset.
"""

from django.shortcuts import get_list_or_404
from django.utils.functional import classproperty
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import get_snippet_models
from wagtail.snippets.views import chooser as snippet_chooser

#: Holding any of these model permissions lets a user see (list, choose) the objects in their scope.
ANY_ACTION = ("add", "change", "delete", "view")


class UnitScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions narrowed per instance to the user's units.

    ``visible(user)``, ``manageable(user)`` and ``deletable(user)`` return querysets of the model, each a subset
    of the previous one (``manageable`` defaults to ``visible``, ``deletable`` to ``manageable``): "view" is
    checked against the first, "delete" against the last, any other action against ``manageable``.
    ``deletable`` carries the rules of the app's own delete screen (a published version is kept), so that
    Wagtail's bulk delete cannot go round them.
    """

    def __init__(self, model, *, visible, manageable=None, deletable=None, auth_model=None):
        super().__init__(model, auth_model=auth_model)
        self.visible = visible
        self.manageable = manageable or visible
        self.deletable = deletable or self.manageable

    def scope(self, user, action):
        if action == "view":
            return self.visible(user)
        return self.deletable(user) if action == "delete" else self.manageable(user)

    def user_has_permission_for_instance(self, user, action, instance):
        if instance is None or instance.pk is None:
            return False
        if not self.user_has_permission(user, action):
            return False
        return self.scope(user, action).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        permitted = [action for action in actions if self.user_has_permission(user, action)]
        if not permitted:
            return self.model._default_manager.none()
        if "view" in permitted:
            return self.visible(user)
        return self.deletable(user) if permitted == ["delete"] else self.manageable(user)

    def visible_instances(self, user):
        """What ``user`` may know exists (lists, choosers, confirmations): their scope, given any permission."""
        if not self.user_has_any_permission(user, ANY_ACTION):
            return self.model._default_manager.none()
        return self.visible(user)


def visible_instances(model, user):
    """The objects of ``model`` that ``user`` may see, by the model's registered policy (all for other models
    when the user holds any of its permissions)."""
    policy = policy_registry.get_by_type(model)
    if isinstance(policy, UnitScopedPermissionPolicy):
        return policy.visible_instances(user)
    return policy.instances_user_has_any_permission_for(user, ANY_ACTION)


# --- the snippet chooser -------------------------------------------------------------------------------


class _ScopedChooserMixin:
    def scoped_objects(self):
        return visible_instances(self.model_class, self.request.user)


class ScopedChooseView(_ScopedChooserMixin, snippet_chooser.ChooseView):
    def get_object_list(self):
        return self.scoped_objects()


class ScopedChooseResultsView(_ScopedChooserMixin, snippet_chooser.ChooseResultsView):
    def get_object_list(self):
        return self.scoped_objects()


class ScopedChosenView(_ScopedChooserMixin, snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return self.scoped_objects().get(pk=pk)


class ScopedChosenMultipleView(_ScopedChooserMixin, snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return self.scoped_objects().filter(pk__in=pks)


class UnitScopedChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    """The snippet chooser of a unit-owned model: only the objects in the user's scope (another unit's: 404)."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView


# --- bulk delete -------------------------------------------------------------------------------------------


class UnitScopedDeleteBulkAction(DeleteBulkAction):
    """Wagtail's snippet bulk delete, for unit-owned models: ids out of the user's scope are not looked up at all
    (their titles would show in the confirmation's "no permission" list)."""

    @classproperty
    def models(cls):  # read when the bulk-action hooks are scanned (first request): every policy is registered
        return [
            model
            for model in get_snippet_models()
            if isinstance(policy_registry.get_by_type(model, fallback=False), UnitScopedPermissionPolicy)
        ]

    def get_queryset(self, model, object_ids):  # an instance method here: the scope needs the request's user
        return get_list_or_404(visible_instances(model, self.request.user).filter(pk__in=object_ids))
