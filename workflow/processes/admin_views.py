"""Process designer screens (QT 22): the snippet views, scoped to the user's unit, plus publish, new draft
version and the three-stage short process. The state changes are in :mod:`workflow.processes.services`.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
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
from workflow.models import Process, ProcessStatus, ProcessStep
from workflow.processes import services as process_services
from workflow.processes.diagram import process_diagram
from workflow.processes.forms import ShortProcessForm


def _warnings(process, steps=None):
    """What the designer warns about a saved process (:func:`~workflow.processes.services.process_review`)."""
    return process_services.process_review_of(process, steps).warnings


def _warn(request, warnings):
    for message in warnings:
        messages.warning(request, message)


def designer_context(form, review=None):
    """What the designer's edit and create pages show above the form and give the live hours sum
    (``workflow/static/workflow/process-designer.js``): each procedure's processing time in working minutes."""
    field = form.fields.get("procedure")
    procedures = field.queryset.only("pk", "processing_time", "processing_time_unit") if field is not None else []
    return {
        "designer_minutes": {str(p.pk): p.processing_minutes for p in procedures},
        "designer_warnings": review.warnings if review is not None else [],
    }


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
    """After saving: the review's warnings (allowances against the processing time, groups without officials)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        review = getattr(form, "review", None)
        if getattr(self, "object", None) is not None and not getattr(self, "published", False):
            _warn(self.request, review.warnings if review is not None else _warnings(self.object))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = getattr(self.form, "review", None)
        if review is None and getattr(self, "object", None) is not None and self.object.pk:
            review = process_services.process_review_of(self.object, self.object.steps.all())
        context.update(designer_context(self.form, review))
        return context


class ProcessCreateView(ViewSetMixin, AllowanceWarningMixin, snippet_views.CreateView):
    pass


#: The name of the edit form's “Save and publish” button (workflow/processes/admin.py).
PUBLISH_ACTION = "process-publish"


def _published_messages(request, process):
    messages.success(
        request,
        _("Version %(version)s of “%(name)s” is published; the previous version is retired.")
        % {"version": process.version, "name": process.name},
    )
    _warn(request, _warnings(process))


class ProcessEditView(ViewSetMixin, ScopedProcessMixin, AllowanceWarningMixin, snippet_views.EditView):
    published = False

    def get_queryset(self):
        # The step forms read their steps and each step's officials from these (no query per step).
        steps = ProcessStep.objects.select_related("agency").prefetch_related("officials__official")
        return super().get_queryset().select_related("procedure", "agency").prefetch_related(Prefetch("steps", steps))

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

    def save_action(self):
        """“Save and publish” (the action menu's :class:`~workflow.processes.admin.PublishProcessMenuItem`): the
        draft is saved, then published by the same service as the process's page; a refusal leaves it saved."""
        if PUBLISH_ACTION not in self.request.POST:
            return super().save_action()
        try:
            process = process_services.process_publish(actor=self.request.user, process_id=self.object.pk)
        except DossierError as error:
            messages.error(self.request, _("The draft is saved but not published: %(why)s") % {"why": error.message})
            return redirect(self.viewset.get_url_name("edit"), self.object.pk)
        self.published = True
        _published_messages(self.request, process)
        return redirect(self.viewset.get_url_name("inspect"), process.pk)


class ProcessInspectView(ViewSetMixin, snippet_views.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(
            process_services.process_queryset_for(self.request.user).select_related("procedure", "agency"),
            pk=unquote(str(self.pk)),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        process = self.object
        policy = self.permission_policy
        user = self.request.user
        steps = list(
            ProcessStep.objects.filter(process=process).select_related("agency").prefetch_related("officials__official")
        )
        review = process_services.process_review_of(process, steps)
        manageable = process_services.process_is_manageable(user, process)
        can_change = manageable and policy.user_has_permission(user, "change")
        context.update(
            process=process,
            steps=steps,
            review=review,
            steps_hours=process_services.hours_text(review.steps_minutes),
            expected_hours=process_services.hours_text(review.expected_minutes or 0),
            diagram=process_diagram(process, steps),
            warnings=review.warnings,
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
            **self.copy_context(process),
        )
        return context

    def copy_context(self, process):
        """The “copy for my unit” action of a default process: the units the user may copy it for, and the
        drafts those units already have (they edit those instead)."""
        user = self.request.user
        if process.agency_id is not None or not self.permission_policy.user_has_permission(user, "add"):
            return {"copy_targets": []}
        targets = list(
            process_services.agencies_for(user).filter(procedures=process.procedure_id).order_by("name").distinct()
        )
        drafts = {
            draft.agency_id: draft
            for draft in Process.objects.filter(
                procedure_id=process.procedure_id, agency__in=targets, status=ProcessStatus.DRAFT
            )
        }
        return {
            "copy_targets": [(agency, drafts.get(agency.pk)) for agency in targets],
            "copy_url": reverse(self.viewset.get_url_name("copy_for_unit"), args=[process.pk]),
            "copy_open": [
                (agency, reverse(self.viewset.get_url_name("edit"), args=[drafts[agency.pk].pk]))
                for agency in targets
                if agency.pk in drafts
            ],
        }


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
        _published_messages(request, process)
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


class ProcessCopyForUnitView(ProcessOperationView):
    """Copy the procedure's default process for a unit (the unit admin's own; a supervisor chooses one)."""

    permission = "add"

    def operate(self, user, process):
        agency = process_services.agencies_for(user).filter(pk=self.request.POST.get("agency") or None).first()
        return process_services.process_copy_for_unit(actor=user, process_id=process.pk, agency=agency)

    def done(self, request, draft):
        messages.success(
            request,
            _(
                "Draft version %(version)s for %(agency)s copied from the province's default process: adjust it, "
                "then publish it. Until then your dossiers follow the default process."
            )
            % {"version": draft.version, "agency": draft.agency.name},
        )
        for step, names in draft.left_out.items():
            messages.warning(
                request,
                _("Step “%(step)s”: %(names)s (of another unit) left out; the step's group holds it.")
                % {"step": step, "names": ", ".join(names)},
            )
        _warn(request, _warnings(draft))
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
