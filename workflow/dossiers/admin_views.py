"""The officials' dossier screens in the Wagtail admin: inboxes, detail, actions, counter reception, bulk.

Views only read the request, call a selector or a service, and answer; the
rules are in :mod:`workflow.dossiers.services` (writes) and :mod:`workflow.dossiers.selectors`
(reads). Every dossier is looked up through ``Dossier.objects.visible_to``
(via the selectors), so another unit's dossier is a 404 everywhere.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.forms import Media
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BaseColumn, Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin

from catalog.access_log.services import record_access
from catalog.models import AccessKind
from catalog.officials.scoping import user_agency_id
from workflow.dossiers import selectors, services
from workflow.dossiers.forms import ACTION_FORMS, BulkActionForm, CounterReceptionForm, slips_available
from workflow.dossiers.queries import INBOXES, can_use_inbox, inbox_queryset, procedures_for_filter, warning_filter
from workflow.dossiers.selectors import WarningThresholds
from workflow.errors import DossierError
from workflow.models import Action, Dossier, Status
from workflow.worktime import WarningLevel

INBOX_TITLES = {
    "mine": gettext_lazy("My dossiers"),
    "unit": gettext_lazy("My unit's dossiers"),
    "reception": gettext_lazy("Waiting for reception"),
    "all": gettext_lazy("All dossiers"),
}
INBOX_HELP = {
    "mine": gettext_lazy("Dossiers you hold, and dossiers waiting without a named holder at a step of your group."),
    "unit": gettext_lazy("Every dossier of your unit still being processed."),
    "reception": gettext_lazy("Submitted online and not yet received: answer within 8 working hours (QN 13.2a)."),
    "all": gettext_lazy("Every dossier you may see, closed ones included."),
}
#: The inboxes whose rows can be acted on together (QT 17.5).
BULK_INBOXES = ("mine", "unit")


def _form_answers(dossier):
    # eforms sits above workflow (it reads dossiers); its answers are read here, at call time.
    from eforms.selectors import dossier_answers

    return dossier_answers(dossier)


class InboxPermissionMixin:
    """Officials of a unit and supervisors only; other accounts get 403 (their list would be empty anyway)."""

    viewset = None

    def dispatch(self, request, *args, **kwargs):
        if not can_use_inbox(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def url(self, name, *args):
        return reverse(self.viewset.get_url_name(name), args=args)

    @cached_property
    def thresholds(self):
        """``now`` and ``now`` + one working day, computed once per request (QT 21)."""
        return WarningThresholds.at()


# --- inboxes ---------------------------------------------------------------------------------------


class DossierFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=Status.choices, empty_label=gettext_lazy("All")
    )
    procedure = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Procedure"), queryset=lambda request: procedures_for_filter(request.user)
    )
    step = django_filters.CharFilter(
        label=gettext_lazy("Current step"), field_name="current_step__name", lookup_expr="icontains"
    )
    warning = django_filters.ChoiceFilter(
        label=gettext_lazy("Warning"),
        method="filter_warning",
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
        choices=[
            (WarningLevel.OVERDUE.value, WarningLevel.OVERDUE.label),
            (WarningLevel.DUE_SOON.value, WarningLevel.DUE_SOON.label),
            ("step", gettext_lazy("Step due or overdue")),
            (WarningLevel.OK.value, WarningLevel.OK.label),
        ],
    )
    received = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Received"), field_name="received_at", widget=DateRangePickerWidget
    )
    due = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Due"), field_name="due_at", widget=DateRangePickerWidget
    )
    holder = django_filters.ChoiceFilter(
        label=gettext_lazy("Holder"),
        method="filter_holder",
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
        choices=[("me", gettext_lazy("Held by me")), ("group", gettext_lazy("Waiting for my group"))],
    )

    class Meta:
        model = Dossier
        fields = []

    def filter_warning(self, queryset, name, value):
        return warning_filter(queryset, value)

    def filter_holder(self, queryset, name, value):
        user = self.request.user
        if value == "me":
            return queryset.filter(current_holder=user)
        if value == "group":
            return queryset.filter(current_holder__isnull=True)
        return queryset


class SelectColumn(BaseColumn):
    """A checkbox per row, tied to the bulk action form of the page (``form=`` attribute)."""

    header_template_name = "workflow/admin/cells/select_header.html"
    cell_template_name = "workflow/admin/cells/select.html"


class DateTimeColumn(Column):
    cell_template_name = "workflow/admin/cells/datetime.html"


class DueColumn(Column):
    """The deadline a row is judged by: the reception deadline while new, else the processing due time."""

    cell_template_name = "workflow/admin/cells/due.html"


class StepColumn(Column):
    cell_template_name = "workflow/admin/cells/step.html"


class WarningColumn(Column):
    cell_template_name = "workflow/admin/cells/warning.html"


class ApplicantColumn(Column):
    cell_template_name = "workflow/admin/cells/applicant.html"


class TruncatedColumn(Column):
    """A long text cut to three lines; the whole text is the cell's tooltip (``title``)."""

    cell_template_name = "workflow/admin/cells/truncated.html"


class InboxView(InboxPermissionMixin, BaseListingView):
    inbox = "mine"
    results_only = False
    template_name = "workflow/admin/inbox.html"
    results_template_name = "workflow/admin/inbox_results.html"
    paginate_by = 50
    is_searchable = True
    default_ordering = "sort_due"
    filterset_class = DossierFilterSet
    header_icon = "folder-open-inverse"
    verbose_name = gettext_lazy("dossier")
    verbose_name_plural = gettext_lazy("dossiers")

    def get_page_title(self):
        return INBOX_TITLES[self.inbox]

    def get_index_url(self):
        return self.url(self.inbox)

    def get_index_results_url(self):
        return self.url(f"{self.inbox}_results")

    def get_base_queryset(self):
        return inbox_queryset(self.inbox, self.request.user, self.thresholds)

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return selectors.dossier_search(queryset, self.search_query)

    def order_queryset(self, queryset):
        ordering = self.ordering or self.default_ordering
        descending = ordering.startswith("-")
        field = F(ordering.lstrip("-"))
        return queryset.order_by(
            field.desc(nulls_last=True) if descending else field.asc(nulls_last=True), "-pk" if descending else "pk"
        )

    @property
    def bulk_enabled(self):
        return self.inbox in BULK_INBOXES

    @cached_property
    def columns(self):
        detail = self.viewset.get_url_name("detail")
        columns = [
            TitleColumn(
                "code",
                label=_("Code"),
                sort_key="code",
                url_name=detail,
                get_title_id=lambda d: f"dossier_{d.pk}_title",
                classname="dossier-col-code",
            ),
            TruncatedColumn(
                "procedure", label=_("Procedure"), accessor=lambda d: d.procedure.name, classname="dossier-col-text"
            ),
            ApplicantColumn("applicant_name", label=_("Applicant"), classname="dossier-col-text"),
            DateTimeColumn("received_at", label=_("Received"), sort_key="received_at", classname="dossier-col-date"),
            DueColumn("sort_due", label=_("Due"), sort_key="sort_due", classname="dossier-col-date"),
            DateTimeColumn(
                "appointment_at", label=_("Appointment"), sort_key="appointment_at", classname="dossier-col-date"
            ),
            Column(
                "status", label=_("Status"), accessor=lambda d: d.get_status_display(), classname="dossier-col-status"
            ),
            StepColumn("current_step", label=_("Current step and holder"), classname="dossier-col-text"),
            WarningColumn("warning", label=_("Warning"), classname="dossier-col-warning"),
        ]
        if self.bulk_enabled:
            columns.insert(0, SelectColumn("select", label=_("Select")))
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            inbox=self.inbox,
            inbox_help=INBOX_HELP[self.inbox],
            inbox_tabs=[(name, INBOX_TITLES[name], self.url(name)) for name in INBOXES],
            bulk_enabled=self.bulk_enabled,
            bulk_form=BulkActionForm(user=self.request.user, initial={"next": self.request.get_full_path()}),
            bulk_url=self.url("bulk"),
            receive_url=self.url("receive") if user_agency_id(self.request.user) else None,
        )
        return context


# --- detail and actions ------------------------------------------------------------------------------


def slip_link(dossier, kind, fmt="pdf"):
    """The slip download URL of the slips module (``/admin/dossiers/<pk>/slip/<kind>.<fmt>``), or None."""
    try:
        from workflow.slips.views import slip_url
    except ImportError:
        return None
    try:
        return slip_url(dossier, kind, fmt)
    except NoReverseMatch:
        return None


def _slip_links(dossier, events):
    """Links to print the slips this dossier has: one per kind whose action was recorded."""
    if not slips_available():
        return []
    from workflow.models import SlipKind
    from workflow.slips import SLIP_ACTIONS

    done = {event.action for event in events}
    links = []
    for kind in SlipKind:
        if any(action in done for action in SLIP_ACTIONS.get(kind, ())):
            pdf, doc = slip_link(dossier, kind.value, "pdf"), slip_link(dossier, kind.value, "doc")
            if pdf:
                links.append({"label": kind.label, "pdf": pdf, "doc": doc})
    return links


class DossierDetailView(InboxPermissionMixin, WagtailAdminTemplateMixin, View):
    template_name = "workflow/admin/dossier_detail.html"
    header_icon = "doc-full"

    def get(self, request, pk):
        response = self.render_detail(pk)
        record_access(request, AccessKind.DOSSIER_DETAIL, dossier=self.dossier)
        return response

    def render_detail(self, pk, bound_form=None, status=200):
        user, now = self.request.user, self.thresholds.now
        dossier = selectors.dossier_get(user=user, dossier_id=pk, thresholds=self.thresholds)
        self.dossier = dossier
        events = list(dossier.events.all())
        documents = {document.pk: document for document in dossier.documents.all()}
        runs = []
        for run in dossier.step_runs.all():
            used, overdue = selectors.step_run_progress(run, now)
            runs.append({"run": run, "used": used, "overdue": overdue})
        open_run = next((r for r in reversed(runs) if r["run"].departed_at is None), None)
        step_warning = None
        if open_run and open_run["run"].due_at:
            step_warning = get_step_warning(open_run["run"].due_at, self.thresholds)
        allowed = selectors.dossier_allowed_actions(dossier, user, now=now)
        forms = []
        for name in allowed:
            form_class = ACTION_FORMS.get(name)
            if form_class is None:
                continue
            if bound_form is not None and bound_form.action == name:
                form = bound_form
            else:
                form = form_class(dossier=dossier, user=user)
            forms.append(
                {
                    "name": name,
                    "form": form,
                    "url": self.url("action", dossier.pk, form.url_name),
                    "open": form is bound_form,
                }
            )
        context = self.get_context_data(
            dossier=dossier,
            timeline=[
                {"event": e, "documents": [documents[d.pk] for d in e.documents.all() if d.pk in documents]}
                for e in events
            ],
            documents=list(documents.values()),
            payments=list(dossier.payments.all()),
            form_answers=_form_answers(dossier),
            step_runs=runs,
            step_warning=step_warning,
            agency_times=sorted(services.time_by_agency(dossier).items(), key=lambda item: item[0].name),
            action_forms=forms,
            # The widgets' scripts (the admin's date-time picker of the apology's new appointment), loaded before
            # the forms whose inline set-up calls them.
            media=sum((item["form"].media for item in forms), Media()),
            slip_links=_slip_links(dossier, events),
            document_url_name=self.viewset.get_url_name("document"),
            inbox_url=self.url("mine"),
            status_labels=dict(Status.choices),
            action_labels=dict(Action.choices),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get_page_title(self):
        return _("Dossier %(code)s") % {"code": self.dossier.code}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": self.url("mine"), "label": _("Dossiers")},
            {"url": "", "label": self.dossier.code},
        ]


def get_step_warning(due_at, thresholds):
    if due_at < thresholds.now:
        return WarningLevel.OVERDUE.value
    if due_at < thresholds.due_soon_until:
        return WarningLevel.DUE_SOON.value
    return WarningLevel.OK.value


class DossierActionView(DossierDetailView):
    """POST one action form; the service decides. Domain errors become a message and change nothing."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        name = action.replace("-", "_")
        form_class = ACTION_FORMS.get(name)
        if form_class is None:
            raise Http404
        dossier = selectors.dossier_visible_get(user=request.user, dossier_id=pk)
        form = form_class(request.POST, request.FILES, dossier=dossier, user=request.user)
        if not form.is_valid():
            messages.error(request, _("The form has errors: see below."))
            return self.render_detail(pk, bound_form=form, status=400)
        try:
            kwargs = form.service_kwargs()
            form.service_function()(
                actor=request.user, dossier_id=dossier.pk, revision=form.cleaned_data["revision"], **kwargs
            )
        except DossierError as error:
            messages.error(request, str(error.message))
            return redirect(self.url("detail", dossier.pk))
        buttons = []
        receipt = slip_link(dossier, "receipt") if name in (Action.RECEIVE, Action.RESUBMIT) else None
        if receipt:
            buttons.append(messages.button(receipt, _("Print the receipt"), new_window=True))
        messages.success(
            request, _("%(action)s: %(code)s.") % {"action": Action(name).label, "code": dossier.code}, buttons=buttons
        )
        if not Dossier.objects.visible_to(request.user).filter(pk=dossier.pk).exists():
            return redirect(self.url("mine"))
        return redirect(self.url("detail", dossier.pk))


class DocumentDownloadView(InboxPermissionMixin, View):
    """Stream a dossier's private file; another unit's document is a 404 like a missing one."""

    def get(self, request, pk, document_pk):
        document = selectors.dossier_document_get(user=request.user, dossier_id=pk, document_id=document_pk)
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        record_access(request, AccessKind.DOCUMENT_DOWNLOAD, dossier=document.dossier, object_id=document.pk)
        return FileResponse(handle, as_attachment=True, filename=document.name or document.file.name)


# --- reception at the counter ------------------------------------------------------------------------


class CounterReceptionView(InboxPermissionMixin, WagtailAdminTemplateMixin, View):
    template_name = "workflow/admin/counter_reception.html"
    page_title = gettext_lazy("Receive a dossier at the counter")
    header_icon = "plus"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_agency_id(request.user):
            raise PermissionDenied  # a dossier is received for the official's own unit
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": self.url("mine"), "label": _("Dossiers")},
            {"url": "", "label": self.page_title},
        ]

    def render_form(self, form, status=200):
        return TemplateResponse(
            self.request,
            self.template_name,
            self.get_context_data(form=form, action_url=self.url("receive")),
            status=status,
        )

    def get(self, request):
        return self.render_form(CounterReceptionForm(user=request.user))

    def post(self, request):
        form = CounterReceptionForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            messages.error(request, _("The form has errors: see below."))
            return self.render_form(form, status=400)
        agency = request.user.official.agency
        try:
            dossier = services.dossier_receive_at_counter(actor=request.user, agency=agency, **form.service_kwargs())
        except DossierError as error:
            messages.error(request, str(error.message))
            return self.render_form(form, status=400)
        buttons = []
        receipt = slip_link(dossier, "receipt")
        if receipt:
            buttons.append(messages.button(receipt, _("Print the receipt"), new_window=True))
        messages.success(request, _("Dossier %(code)s received.") % {"code": dossier.code}, buttons=buttons)
        return redirect(self.url("detail", dossier.pk))


# --- several dossiers at once (QT 17.5) ------------------------------------------------------------------


class BulkActionView(InboxPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = BulkActionForm(request.POST, user=request.user)
        back = request.POST.get("next") or self.url("mine")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = self.url("mine")
        if not form.is_valid():
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            messages.error(request, _("Nothing was done: %(errors)s") % {"errors": errors})
            return redirect(back)
        kwargs = {"comment": form.cleaned_data["comment"]}
        outcome = services.dossiers_bulk(
            getattr(services, form.service), actor=request.user, items=form.items(), **kwargs
        )
        label = Action(form.cleaned_data["action"]).label
        if outcome.done:
            messages.success(
                request,
                _("%(action)s: %(count)s dossier(s) — %(codes)s.")
                % {"action": label, "count": len(outcome.done), "codes": ", ".join(d.code for d in outcome.done)},
            )
        for code, message in outcome.failed:
            messages.error(request, _("%(code)s was not changed: %(message)s") % {"code": code, "message": message})
        return redirect(back)
