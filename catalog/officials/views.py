"""Wagtail admin screens for back-office accounts (``/admin/officials/``): QN 12, TN 8, TN 17.10đ.

* unit admins see and manage their own unit's officials: create one in the unit roles, change roles,
  revoke (with the colleague who takes over the open dossiers);
* the system admin sees every unit's officials and the province-wide accounts, and also creates a unit with
  its first unit admin, and province-wide accounts (content editor, supervisor, police).

These views only read forms and call :mod:`catalog.officials.services`; every rule (who may manage whom, which roles,
what revoking does) is there. An account the user does not manage answers 404; a screen they may not use,
403.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from catalog.models import Agency, AgencyLevel
from catalog.officials import roles
from catalog.officials import services as accounts
from portal.core.names import display_name

PER_PAGE = 50


# --- forms ------------------------------------------------------------------------------------------------


def _role_choices(actor, codes=None):
    """(role code, translated label) of the roles ``actor`` may give: the form posts codes."""
    allowed = accounts.assignable_roles(actor)
    return [(code, roles.LABELS.get(code, code)) for code in (codes or allowed) if code in allowed]


class AccountFieldsForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Family and middle name"), max_length=150, required=False)
    first_name = forms.CharField(label=gettext_lazy("Given name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Leave empty to let the official choose one with “Forgot password?” (this needs the e-mail address)."
        ),
    )

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Give an e-mail address or an initial password, or the official cannot sign in."))
        return data

    def account_fields(self):
        data = self.cleaned_data
        return {key: data.get(key, "") for key in ("username", "first_name", "last_name", "email", "password")}


class OfficialCreateForm(AccountFieldsForm):
    agency = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Agency.objects.none())
    position = forms.CharField(label=gettext_lazy("Job position"), max_length=150, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=50, required=False)
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)

    field_order = ["agency", "username", "last_name", "first_name", "email", "position", "phone", "roles", "password"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = accounts.agencies_for_new_officials(actor)
        agencies = list(self.fields["agency"].queryset[:2])
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
        self.fields["roles"].choices = _role_choices(actor)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)
    position = forms.CharField(label=gettext_lazy("Job position"), max_length=150, required=False)

    def __init__(self, *args, actor, has_position=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices(actor)
        if not has_position:
            del self.fields["position"]


class SuccessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = display_name(obj.user)
        return f"{name} — {obj.position}" if obj.position else name


class RevokeForm(forms.Form):
    successor = SuccessorChoiceField(
        label=gettext_lazy("Colleague who takes over the open dossiers"), queryset=None, required=False
    )
    comment = forms.CharField(
        label=gettext_lazy("Reason (recorded with each handed-over dossier)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, official, held, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = accounts.successors_for(official)
        self.fields["successor"].empty_label = _("— choose a colleague —")
        if official is None:
            del self.fields["successor"]
        elif held:
            self.fields["successor"].required = True


class UnitCreateForm(AccountFieldsForm):
    code = forms.CharField(
        label=gettext_lazy("Unit identifier code"),
        max_length=20,
        help_text=gettext_lazy("National format, e.g. 000.00.15.H12."),
    )
    name = forms.CharField(label=gettext_lazy("Unit name"), max_length=255)
    short_name = forms.CharField(label=gettext_lazy("Short name"), max_length=100, required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=AgencyLevel.choices)
    parent = forms.ModelChoiceField(label=gettext_lazy("Parent unit"), queryset=Agency.objects.none(), required=False)
    position = forms.CharField(label=gettext_lazy("Job position of the unit admin"), max_length=150, required=False)

    field_order = [
        "code",
        "name",
        "short_name",
        "level",
        "parent",
        "username",
        "last_name",
        "first_name",
        "email",
        "position",
        "password",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Agency.objects.filter(is_active=True).order_by("name")


class SystemAccountForm(AccountFieldsForm):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=[(code, roles.LABELS[code]) for code in roles.SYSTEM_ROLES]
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Optional, for a supervisor or editor working in a unit. A police account never belongs to a unit."
        ),
    )

    field_order = ["role", "agency", "username", "last_name", "first_name", "email", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")


# --- views ------------------------------------------------------------------------------------------------


class AccountsView(View):
    viewset = None
    page_title = gettext_lazy("Officials")
    superuser_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not accounts.can_manage_officials(user) or (self.superuser_only and not user.is_superuser):
            # A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard).
            return self.render("forbidden.html", 403, title=_("Permission denied"))
        return super().dispatch(request, *args, **kwargs)

    def url(self, name, *args):
        return reverse(self.viewset.get_url_name(name), args=args)

    def render(self, template, status=200, title=None, **context):
        title = title or self.page_title
        breadcrumbs = [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": self.url("index"), "label": _("Officials")},
        ]
        if title != self.page_title:
            breadcrumbs.append({"url": "", "label": title})
        context.update(
            view=self,
            page_title=title,
            header_title=title,
            header_icon=self.viewset.icon,
            breadcrumbs_items=breadcrumbs,
            index_url=self.url("index"),
        )
        return TemplateResponse(self.request, f"catalog/accounts/{template}", context, status=status)

    def error(self, form, error):
        """A service refusal on a valid form: shown on the form, status 403 (not allowed) or 400."""
        if isinstance(error, accounts.AccountNotFound):
            raise Http404
        form.add_error(None, str(error.message))
        return 403 if isinstance(error, accounts.AccountNotAllowed) else 400

    def get_account(self, user_id):
        try:
            return accounts.account_get(actor=self.request.user, user_id=user_id)
        except accounts.AccountNotFound:
            raise Http404 from None


def _role_labels(user):
    return sorted(str(roles.label_of(group)) for group in user.groups.all())


class IndexView(AccountsView):
    def get(self, request):
        user = request.user
        queryset = accounts.officials_managed_by(user, with_counts=True)
        query = (request.GET.get("q") or "").strip()
        if query:
            queryset = queryset.filter(
                Q(user__username__icontains=query)
                | Q(user__first_name__icontains=query)
                | Q(user__last_name__icontains=query)
                | Q(position__icontains=query)
            )
        status = request.GET.get("status")
        if status in ("active", "revoked"):
            queryset = queryset.filter(user__is_active=status == "active")
        agencies = None
        if user.is_superuser:
            agencies = Agency.objects.order_by("name").only("pk", "name")
            agency = request.GET.get("agency") or ""
            if agency.isdigit():
                queryset = queryset.filter(agency_id=int(agency))
        queryset = queryset.order_by(
            "-user__is_active", "agency__name", "user__last_name", "user__first_name", "user__username"
        )
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("p"))
        rows = [
            {
                "official": official,
                "user": official.user,
                "roles": _role_labels(official.user),
                "edit_url": self.url("edit", official.user_id),
                "revoke_url": self.url("revoke", official.user_id),
            }
            for official in page.object_list
        ]
        province = []
        if user.is_superuser:
            province = [
                {
                    "user": account,
                    "roles": _role_labels(account),
                    "edit_url": self.url("edit", account.pk),
                    "revoke_url": self.url("revoke", account.pk),
                }
                for account in accounts.province_accounts_managed_by(user)
            ]
        params = request.GET.copy()
        params.pop("p", None)
        return self.render(
            "index.html",
            rows=rows,
            page=page,
            page_query=params.urlencode(),
            province=province,
            query=query,
            status_filter=status or "",
            agencies=agencies,
            agency=request.GET.get("agency") or "",
            is_system_admin=user.is_superuser,
            add_url=self.url("add"),
            add_unit_url=self.url("add_unit"),
            add_system_url=self.url("add_system"),
        )


class AccountFormView(AccountsView):
    """GET shows ``form_class``; POST validates it and calls :meth:`save` (a service call returning the success
    message); a service refusal is shown on the form and nothing changes."""

    form_class = None
    url_name = None
    title = None
    submit_label = gettext_lazy("Create the account")

    def get_form(self, data=None):
        return self.form_class(data)

    def get(self, request):
        return self.render_form(self.get_form())

    def post(self, request):
        form = self.get_form(request.POST)
        status = 400
        if form.is_valid():
            try:
                message = self.save(form)
            except accounts.AccountError as error:
                status = self.error(form, error)
            else:
                messages.success(request, message)
                return redirect(self.url("index"))
        return self.render_form(form, status)

    def save(self, form) -> str:
        raise NotImplementedError

    def render_form(self, form, status=200):
        return self.render(
            "form.html",
            status,
            title=str(self.title),
            form=form,
            action_url=self.url(self.url_name),
            submit_label=self.submit_label,
        )


def _created(user):
    return _("Account “%(username)s” created.") % {"username": user.username}


class CreateView(AccountFormView):
    title = gettext_lazy("New official")
    url_name = "add"

    def get_form(self, data=None):
        return OfficialCreateForm(data, actor=self.request.user)

    def save(self, form):
        data = form.cleaned_data
        return _created(
            accounts.official_create(
                actor=self.request.user,
                agency=data["agency"],
                position=data["position"],
                phone=data["phone"],
                role_names=data["roles"],
                **form.account_fields(),
            )
        )


class EditView(AccountsView):
    def get(self, request, user_id):
        account = self.get_account(user_id)
        official = accounts.official_of(account)
        form = RolesForm(
            actor=request.user,
            has_position=official is not None,
            initial={"roles": accounts.role_codes_of(account), "position": getattr(official, "position", "")},
        )
        return self.render_edit(account, official, form)

    def post(self, request, user_id):
        account = self.get_account(user_id)
        official = accounts.official_of(account)
        form = RolesForm(request.POST, actor=request.user, has_position=official is not None)
        status = 400
        if form.is_valid():
            try:
                accounts.official_set_roles(
                    actor=request.user,
                    official=official or account,
                    role_names=form.cleaned_data["roles"],
                    position=form.cleaned_data.get("position"),
                )
            except accounts.AccountError as error:
                status = self.error(form, error)
            else:
                messages.success(request, _("Roles of “%(username)s” saved.") % {"username": account.username})
                return redirect(self.url("index"))
        return self.render_edit(account, official, form, status)

    def render_edit(self, account, official, form, status=200):
        held = accounts.open_dossiers_held(account).count()
        allowed = accounts.assignable_roles(self.request.user)
        other_roles = [roles.label_of(group) for group in account.groups.all() if roles.code_of(group) not in allowed]
        return self.render(
            "edit.html",
            status,
            title=display_name(account),
            account=account,
            official=official,
            form=form,
            held=held,
            other_roles=other_roles,
            action_url=self.url("edit", account.pk),
            revoke_url=self.url("revoke", account.pk),
            reset_otp_url=self.url("reset_otp", account.pk),
        )


class ResetSecondFactorView(AccountsView):
    """POST only, from the edit screen: forget the official's authenticator (lost phone)."""

    def post(self, request, user_id):
        account = self.get_account(user_id)
        try:
            accounts.official_reset_second_factor(actor=request.user, official=accounts.official_of(account) or account)
        except accounts.AccountError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Second factor of “%(username)s” reset: they enrol a new authenticator at their next sign-in.")
                % {"username": account.username},
            )
        return redirect(self.url("edit", account.pk))


class RevokeView(AccountsView):
    def setup_account(self, user_id):
        account = self.get_account(user_id)
        official = accounts.official_of(account)
        held = accounts.open_dossiers_held(account)
        return account, official, held

    def get(self, request, user_id):
        account, official, held = self.setup_account(user_id)
        count = held.count()
        return self.render_revoke(account, official, held, count, RevokeForm(official=official, held=count))

    def post(self, request, user_id):
        account, official, held = self.setup_account(user_id)
        count = held.count()
        form = RevokeForm(request.POST, official=official, held=count)
        status = 400
        if form.is_valid():
            try:
                outcome = accounts.official_revoke(
                    actor=request.user,
                    official=official or account,
                    successor=form.cleaned_data.get("successor"),
                    comment=form.cleaned_data["comment"],
                )
            except accounts.AccountError as error:
                status = self.error(form, error)
            else:
                if outcome.dossiers:
                    message = _("Account “%(username)s” revoked; %(count)s open dossier(s) handed over to %(name)s.")
                else:
                    message = _("Account “%(username)s” revoked.")
                successor = outcome.successor
                messages.success(
                    request,
                    message
                    % {
                        "username": account.username,
                        "count": len(outcome.dossiers),
                        "name": display_name(successor) if successor else "",
                    },
                )
                return redirect(self.url("index"))
        return self.render_revoke(account, official, held, count, form, status)

    def render_revoke(self, account, official, held, count, form, status=200):
        return self.render(
            "revoke.html",
            status,
            title=_("Revoke %(name)s") % {"name": display_name(account)},
            account=account,
            official=official,
            held_count=count,
            held_codes=list(held.order_by("code").values_list("code", flat=True)[:50]),
            form=form,
            action_url=self.url("revoke", account.pk),
            edit_url=self.url("edit", account.pk),
        )


class CreateUnitView(AccountFormView):
    superuser_only = True
    title = gettext_lazy("New unit and its unit admin")
    url_name = "add_unit"
    form_class = UnitCreateForm
    submit_label = gettext_lazy("Create unit and unit admin")

    def save(self, form):
        data = form.cleaned_data
        admin_fields = {**form.account_fields(), "position": data["position"]}
        agency_fields = {key: data[key] for key in ("code", "name", "short_name", "level", "parent")}
        agency, admin = accounts.unit_with_admin_create(
            actor=self.request.user, agency_fields=agency_fields, admin_fields=admin_fields
        )
        return _("Unit “%(unit)s” created with its unit admin “%(username)s”.") % {
            "unit": agency.name,
            "username": admin.username,
        }


class CreateSystemAccountView(AccountFormView):
    superuser_only = True
    title = gettext_lazy("New province-wide account")
    url_name = "add_system"
    form_class = SystemAccountForm

    def save(self, form):
        data = form.cleaned_data
        return _created(
            accounts.system_account_create(
                actor=self.request.user, role_name=data["role"], agency=data["agency"], **form.account_fields()
            )
        )


# --- viewset and menu item --------------------------------------------------------------------------------


class OfficialsMenuItem(MenuItem):
    def is_shown(self, request):
        return accounts.can_manage_officials(request.user)


class OfficialsViewSet(ViewSet):
    name = "officials"
    url_prefix = "officials"
    icon = "group"
    menu_label = gettext_lazy("Officials")
    menu_name = "officials"
    menu_order = 260
    add_to_admin_menu = True
    menu_item_class = OfficialsMenuItem

    def get_urlpatterns(self):
        def view(view_class):
            return view_class.as_view(viewset=self)

        return [
            path("", view(IndexView), name="index"),
            path("add/", view(CreateView), name="add"),
            path("units/add/", view(CreateUnitView), name="add_unit"),
            path("province/add/", view(CreateSystemAccountView), name="add_system"),
            path("<int:user_id>/", view(EditView), name="edit"),
            path("<int:user_id>/revoke/", view(RevokeView), name="revoke"),
            path("<int:user_id>/reset-second-factor/", view(ResetSecondFactorView), name="reset_otp"),
        ]
