"""Password reset (issue 15 item 6; portal/password_reset.py): throttled per address and per account, the same
answer for known and unknown accounts, the admin's form for officials only, the citizens' reset on their side."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.core.ratelimit import message as too_many_message
from tests.factories.citizens import citizen
from tests.factories.workflow import UserFactory
from workflow.notifications.sms import LocmemSmsBackend

pytestmark = pytest.mark.django_db
ADMIN_RESET = "/admin/password_reset/"
CITIZEN_RESET = "/tai-khoan/quen-mat-khau/"
NEW_PASSWORD = "Mat-khau-moi-cua-toi-2027"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_RATES = {
        **settings.RATELIMIT_RATES,
        "password_reset": ["5/hour"],
        "password_reset_account": ["3/hour"],
    }
    cache.clear()
    LocmemSmsBackend.outbox.clear()
    yield
    cache.clear()
    LocmemSmsBackend.outbox.clear()


def admin_reset(client, email, address="203.0.113.7"):
    return client.post(ADMIN_RESET, {"email": email}, REMOTE_ADDR=address)


def citizen_reset(client, identifier, address="203.0.113.7"):
    return client.post(CITIZEN_RESET, {"identifier": identifier}, REMOTE_ADDR=address)


def link_in(text):
    return re.search(r"https?://\S+/(?:admin/password_reset/confirm|tai-khoan/dat-lai-mat-khau)/\S+/", text).group(0)


# --- throttles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["admin", "citizen"])
def test_reset_requests_are_throttled_per_address(client, side):
    """15 requests from one address (for 15 different accounts) no longer send 15 mails: past the address's
    limit the form answers 429 with a translated message and sends nothing."""
    if side == "admin":
        people = [UserFactory(username=f"can.bo.{n}", email=f"canbo{n}@tinh.gov.vn") for n in range(15)]
        answers = [admin_reset(client, person.email) for person in people]
    else:
        people = [citizen(email=f"dan{n}@example.com") for n in range(15)]
        answers = [citizen_reset(client, person.citizen_profile.email) for person in people]
    assert [a.status_code for a in answers] == [302] * 5 + [429] * 10
    assert len(mail.outbox) == 5
    refused = answers[-1]
    assert int(refused["Retry-After"]) > 0
    assert too_many_message(int(refused["Retry-After"])) in refused.content.decode()
    assert "Có quá nhiều yêu cầu từ kết nối của ông/bà" in refused.content.decode()
    # Another address still gets its mail.
    other = (admin_reset if side == "admin" else citizen_reset)(client, people[-1].email, "198.51.100.20")
    assert other.status_code == 302
    assert len(mail.outbox) == 6


@pytest.mark.parametrize("side", ["admin", "citizen"])
def test_an_account_is_sent_at_most_its_share_of_reset_mails(client, side):
    """Requests for one account from many addresses (a mailbox flooded from a botnet): at most
    ``password_reset_account`` mails, and the answer stays the same as for a sent one."""
    if side == "admin":
        email = UserFactory(username="motcua.a", email="motcua.a@tinh.gov.vn").email
        answers = [admin_reset(client, email, f"198.51.100.{n}") for n in range(15)]
    else:
        email = citizen(email="binh@example.com").citizen_profile.email
        answers = [citizen_reset(client, email, f"198.51.100.{n}") for n in range(15)]
    assert len(mail.outbox) == 3
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, answers[0]["Location"])}


@pytest.mark.parametrize("side", ["admin", "citizen"])
def test_known_and_unknown_accounts_get_the_same_answer(client, side):
    if side == "admin":
        UserFactory(username="motcua.b", email="motcua.b@tinh.gov.vn")
        known, unknown = admin_reset(client, "motcua.b@tinh.gov.vn"), admin_reset(client, "khong.co@tinh.gov.vn")
    else:
        citizen(phone="0912000111")
        known, unknown = citizen_reset(client, "0912 000 111"), citizen_reset(client, "0912000999")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) + len(LocmemSmsBackend.outbox) == 1
    page = client.get(known["Location"])
    assert page.status_code == 200


# --- each side's own accounts ------------------------------------------------------------------------------


def test_the_admin_form_mails_officials_only(client):
    """A citizen account's e-mail typed into the admin's reset form gets no mail (it used to receive the
    citizen's internal username); the citizen resets on the citizen side."""
    person = citizen(email="an@example.com")
    response = admin_reset(client, "an@example.com")
    assert response.status_code == 302  # the same answer as for an official
    assert mail.outbox == []

    official = UserFactory(username="motcua.c", email="motcua.c@tinh.gov.vn")
    admin_reset(client, "motcua.c@tinh.gov.vn")
    assert [m.to for m in mail.outbox] == [["motcua.c@tinh.gov.vn"]]
    assert "/admin/password_reset/confirm/" in mail.outbox[0].body and official.username in mail.outbox[0].body
    assert person.username not in mail.outbox[0].body


def test_a_citizen_resets_by_e_mail_and_signs_in_with_the_new_password(client):
    person = citizen(email="chi@example.com", phone="0912333444")
    response = citizen_reset(client, "Chi@Example.com")
    assert response.status_code == 302 and response["Location"] == reverse("citizen:password_reset_sent")
    assert [m.to for m in mail.outbox] == [["chi@example.com"]]
    assert person.username not in mail.outbox[0].body  # the internal username is nobody's business
    assert LocmemSmsBackend.outbox == []

    link = link_in(mail.outbox[0].body)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert _("Your password has been changed. Sign in with the new password.") in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert 'name="new_password1"' not in again.content.decode()
    response = client.post(reverse("citizen:login"), {"username": "0912333444", "password": NEW_PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(person.pk)


def test_a_citizen_with_only_a_phone_gets_the_link_by_text_message(client):
    person = citizen(email="", phone="0912555666")
    citizen_reset(client, "+84 912 555 666")
    assert mail.outbox == []
    [(phone, text)] = LocmemSmsBackend.outbox
    assert phone == "0912555666" and "/tai-khoan/dat-lai-mat-khau/" in text
    assert client.get(link_in(text + " "), follow=True).context["validlink"]
    assert person.username not in text


def test_the_citizen_form_never_resets_an_official(client):
    """Officials are never found by the citizen form, and a token for an official does not open the citizen
    confirm page."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    official = UserFactory(username="motcua.d", email="motcua.d@tinh.gov.vn")
    citizen_reset(client, "motcua.d@tinh.gov.vn")
    assert mail.outbox == []
    uid = urlsafe_base64_encode(force_bytes(official.pk))
    url = reverse(
        "citizen:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(official)}
    )
    assert not client.get(url, follow=True).context["validlink"]


def test_the_sign_in_page_links_to_the_citizen_reset(client):
    assert CITIZEN_RESET in client.get(reverse("citizen:login")).content.decode()
