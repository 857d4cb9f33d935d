"""Process designer screens (QT 22): the snippet views, scoped to the user's unit, plus publish, new draft
version and the three-stage short process. The state changes are in :mod:`workflow.processes.services`.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views import snippets as snippet_views

from workflow.errors import DossierError
from workflow.models import ProcessStatus, ProcessStep
from workflow.processes import services as process_services
from workflow.processes.forms import ShortProcessForm


def _mismatch_message(process):
    steps_total, expected = process_services.process_allowance_check(process)
    if steps_total == expected:
        return None
    return _(
        "The steps' allowances add up to %(steps)s working hours, but the procedure's processing time is "
        "%(expected)s working hours. Adjust the steps so that they share the whole processing time."
    ) % {"steps": _hours(steps_total), "expected": _hours(expected)}


def _hours(minutes):
    hours = minutes / 60
    return f"{hours:g}"


class ScopedProcessMixin:
    """Look the process up among those the user may manage (another unit's process is a 404)."""

    def get_queryset(self):  # edit and delete views (Django's SingleObjectMixin)
        return process_services.process_queryset_for(self.request.user)


class ScopedProcessObjectMixin:
    """History and usage views: Wagtail looks the object up by pk alone; look it up in the user's scope."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            process_services.process_queryset_for(self.request.user), pk=unquote(str(self.kwargs["pk"]))
        )


class ViewSetMixin:
    viewset = None  # set by ProcessViewSet.get_common_view_kwargs


class ProcessIndexView(ViewSetMixin, snippet_views.IndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                HeaderButton(
                    _("Three-stage short process"), url=reverse(self.viewset.get_url_name("short")), icon_name="plus"
                )
            )
        return buttons


class AllowanceWarningMixin:
    def form_valid(self, form):
        response = super().form_valid(form)
        message = _mismatch_message(self.object) if getattr(self, "object", None) else None
        if message:
            messages.warning(self.request, message)
        return response


class ProcessCreateView(ViewSetMixin, AllowanceWarningMixin, snippet_views.CreateView):
    pass


class ProcessEditView(ViewSetMixin, ScopedProcessMixin, AllowanceWarningMixin, snippet_views.EditView):
    def dispatch(self, request, *args, **kwargs):
        try:
            process_services.process_check_manageable(request.user, self.object)
            process_services.process_check_editable(self.object)
        except DossierError as error:
            message = str(error.message)
            if request.method == "POST":
                messages.error(request, message)
            else:
                messages.warning(request, message)
            return redirect(self.viewset.get_url_name("inspect"), self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["allowance_warning"] = _mismatch_message(self.object)
        return context


class ProcessInspectView(ViewSetMixin, snippet_views.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(process_services.process_queryset_for(self.request.user), pk=unquote(str(self.pk)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        process = self.object
        policy = self.permission_policy
        user = self.request.user
        steps = (
            ProcessStep.objects.filter(process=process).select_related("agency").prefetch_related("officials__official")
        )
        manageable = process_services.process_is_manageable(user, process)
        can_change = manageable and policy.user_has_permission(user, "change")
        context.update(
            process=process,
            steps=steps,
            allowance_warning=_mismatch_message(process),
            manageable=manageable,
            can_publish=process.status == ProcessStatus.DRAFT and can_change,
            can_copy=process.is_frozen and manageable and policy.user_has_permission(user, "add"),
            publish_url=reverse(self.viewset.get_url_name("publish"), args=[process.pk]),
            new_version_url=reverse(self.viewset.get_url_name("new_version"), args=[process.pk]),
            edit_url=(
                reverse(self.viewset.get_url_name("edit"), args=[process.pk])
                if not process.is_frozen and can_change
                else None
            ),
        )
        return context


class ProcessDeleteView(ViewSetMixin, ScopedProcessMixin, snippet_views.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        if not process_services.process_is_manageable(request.user, self.object):
            messages.error(request, _("You may look at this process but not delete it."))
            return redirect(self.viewset.get_url_name("inspect"), self.object.pk)
        if self.object.is_frozen:
            messages.error(request, _("A published or retired version cannot be deleted: dossiers may use it."))
            return redirect(self.viewset.get_url_name("inspect"), self.object.pk)
        return super().dispatch(request, *args, **kwargs)


class ProcessHistoryView(ViewSetMixin, ScopedProcessObjectMixin, snippet_views.HistoryView):
    pass


class ProcessUsageView(ViewSetMixin, ScopedProcessObjectMixin, snippet_views.UsageView):
    pass


class ProcessOperationView(View):
    """POST-only publish / new draft version, checked against the model permissions and the unit scope."""

    http_method_names = ["post"]
    viewset = None
    permission = "change"

    def dispatch(self, request, *args, **kwargs):
        if not self.viewset.permission_policy.user_has_permission(request.user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk):
        process = get_object_or_404(process_services.process_queryset_for(request.user), pk=pk)
        try:
            result = self.operate(request.user, process)
        except DossierError as error:
            messages.error(request, str(error.message))
            return redirect(self.viewset.get_url_name("inspect"), process.pk)
        return self.done(request, result)


class ProcessPublishView(ProcessOperationView):
    permission = "change"

    def operate(self, user, process):
        return process_services.process_publish(actor=user, process_id=process.pk)

    def done(self, request, process):
        messages.success(
            request,
            _("Version %(version)s of “%(name)s” is published; the previous version is retired.")
            % {"version": process.version, "name": process.name},
        )
        message = _mismatch_message(process)
        if message:
            messages.warning(request, message)
        return redirect(self.viewset.get_url_name("inspect"), process.pk)


class ProcessNewVersionView(ProcessOperationView):
    permission = "add"

    def operate(self, user, process):
        return process_services.process_new_draft(actor=user, process_id=process.pk)

    def done(self, request, draft):
        messages.success(
            request,
            _("Draft version %(version)s created from the published one: edit it, then publish.")
            % {"version": draft.version},
        )
        return redirect(self.viewset.get_url_name("edit"), draft.pk)


class ShortProcessView(WagtailAdminTemplateMixin, View):
    """Create a draft “receive → resolve → return” process for a procedure decided on the spot (QT 22.2c)."""

    viewset = None
    template_name = "workflow/admin/process_short.html"
    page_title = gettext_lazy("Three-stage short process")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not self.viewset.permission_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("list")), "label": self.viewset.menu_label},
            {"url": "", "label": self.page_title},
        ]

    def render_form(self, form, status=200):
        context = self.get_context_data(form=form, action_url=reverse(self.viewset.get_url_name("short")))
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(ShortProcessForm(user=request.user))

    def post(self, request):
        form = ShortProcessForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            process = process_services.process_create_short(actor=request.user, **form.service_kwargs())
        except DossierError as error:
            messages.error(request, str(error.message))
            return self.render_form(form, status=400)
        messages.success(
            request, _("Draft short process “%(name)s” created: check it, then publish.") % {"name": process.name}
        )
        return redirect(self.viewset.get_url_name("inspect"), process.pk)
