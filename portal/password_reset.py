"""Password reset, throttled and kept to each side's own accounts (issue 15 item 6).

* **Officials** reset at ``/admin/password_reset/`` (Wagtail's form and e-mail): :class:`AdminPasswordResetView`
  mails only official accounts (``is_staff`` / ``is_superuser``); a citizen's e-mail gets nothing there.
* **Citizens** reset at ``/tai-khoan/quen-mat-khau/`` (:mod:`portal.citizens.accounts.views`) by their e-mail or
  phone: :func:`send_citizen_reset` e-mails the link, or texts it when the account has only a phone. Official
  accounts are never found there.
* **Throttles** (``RATELIMIT_RATES``, :mod:`portal.core.ratelimit`): ``password_reset`` counts the requests of
  each client address on both forms (past it: 429 and a translated message); ``password_reset_account`` caps
  the reset messages one account is sent (:func:`may_send_reset`). A request for an unknown, throttled or
  other-side account gets the same answer as one that sent a message, so the form does not tell which
  accounts exist.
"""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm
from wagtail.admin.views.account import PasswordResetView as WagtailPasswordResetView

from portal.citizens.identity import find_citizen
from portal.core.links import absolute_url
from portal.core.ratelimit import check, ratelimit
from portal.signin_security import is_official
from workflow.notifications.outbox import sms_backend

ADDRESS_SCOPE = "password_reset"  # requests per client address, both forms
ACCOUNT_SCOPE = "password_reset_account"  # reset messages sent per account


def may_send_reset(user) -> bool:
    """Count one reset message for ``user``; False once the account had its share for now."""
    allowed, _retry_after = check(ACCOUNT_SCOPE, f"user:{user.pk}")
    return allowed


def throttled_per_address(template_name):
    """The per-address limit of the reset forms (POSTs only), answered with ``template_name`` (429)."""
    return ratelimit(ADDRESS_SCOPE, methods=["POST"], template_name=template_name)


# --- officials ---------------------------------------------------------------------------------------


class OfficialPasswordResetForm(WagtailPasswordResetForm):
    """Wagtail's reset form for official accounts only, each mailed at most as ``password_reset_account``
    allows."""

    def get_users(self, email):
        for user in super().get_users(email):
            if is_official(user) and may_send_reset(user):
                yield user


@method_decorator(throttled_per_address("portal/signin/locked_out_admin.html"), name="dispatch")
class AdminPasswordResetView(WagtailPasswordResetView):
    """``/admin/password_reset/`` (shadows Wagtail's URL): officials only, throttled."""

    def get_form_class(self):
        return OfficialPasswordResetForm


# --- citizens ----------------------------------------------------------------------------------------


def citizen_reset_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("citizen:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def send_citizen_reset(identifier: str) -> bool:
    """Send a reset link to the citizen account ``identifier`` (e-mail or phone) names, if there is one that
    signs in with a password and the account's throttle allows. Whether anything was sent is for logs and
    tests only: the visitor is told the same either way."""
    user = find_citizen(identifier)
    if user is None or not user.is_active or not user.has_usable_password() or not may_send_reset(user):
        return False
    profile = user.citizen_profile
    link = citizen_reset_link(user)
    if profile.email:
        context = {"name": profile.full_name, "link": link}
        send_mail(
            render_to_string("portal/accounts/email/password_reset_subject.txt", context).strip(),
            render_to_string("portal/accounts/email/password_reset.txt", context),
            None,
            [profile.email],
        )
        return True
    if profile.phone:
        sms_backend().send(
            profile.phone, _("Public service portal: to choose a new password, open %(link)s") % {"link": link}
        )
        return True
    return False
