"""Citizen accounts: sign up / sign in with e-mail or phone, profile validation, the identity layer."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from portal.citizens.identity import (
    PREFILL_KEYS,
    PROVIDERS,
    IdentityClaims,
    IdentityProvider,
    link_or_create_citizen,
    profile_as_prefill,
)
from portal.citizens.models import CitizenProfile
from tests.factories.citizens import PASSWORD, CitizenUserFactory, citizen
from tests.factories.workflow import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def sign_up_data(**overrides):
    data = {
        "full_name": "Trần Thị Bình",
        "email": "binh@example.com",
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def test_sign_up_with_email_creates_a_citizen_and_signs_in(client):
    response = client.post(reverse("citizen:sign_up"), sign_up_data(email="Binh@Example.com"))
    assert response.status_code == 302
    profile = CitizenProfile.objects.get()
    assert (profile.full_name, profile.email, profile.phone) == ("Trần Thị Bình", "binh@example.com", "")
    assert not profile.user.is_staff and not profile.user.is_superuser
    assert client.get(reverse("citizen:overview")).status_code == 200


def test_sign_up_with_phone_only_normalises_the_number(client):
    response = client.post(reverse("citizen:sign_up"), sign_up_data(email="", phone="+84 912 345 678"))
    assert response.status_code == 302
    assert CitizenProfile.objects.get().phone == "0912345678"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "", "phone": ""}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"password2": "khac-mat-khau-2026"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"accept_terms": ""}, "accept_terms"),
    ],
)
def test_sign_up_refuses_bad_input(client, overrides, field):
    response = client.post(reverse("citizen:sign_up"), sign_up_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not CitizenProfile.objects.exists()


def test_sign_up_refuses_a_taken_email_or_phone(client):
    citizen(email="binh@example.com", phone="0912345678")
    response = client.post(reverse("citizen:sign_up"), sign_up_data(email="BINH@example.com"))
    assert response.status_code == 400 and "email" in response.context["form"].errors
    response = client.post(reverse("citizen:sign_up"), sign_up_data(email="", phone="0912 345 678"))
    assert response.status_code == 400 and "phone" in response.context["form"].errors


@pytest.mark.parametrize("identifier", ["dan@example.com", "DAN@example.com", "0987654321", "+84987654321"])
def test_sign_in_with_email_or_phone(client, identifier):
    user = citizen(email="dan@example.com", phone="0987654321")
    response = client.post(reverse("citizen:login"), {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:dossiers")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_sign_in_with_a_wrong_password_fails(client):
    citizen(email="dan@example.com")
    response = client.post(reverse("citizen:login"), {"username": "dan@example.com", "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


def test_staff_cannot_sign_in_as_citizen_and_gets_403_in_the_citizen_area(client):
    staff = UserFactory(email="canbo@example.gov.vn")
    response = client.post(reverse("citizen:login"), {"username": "canbo@example.gov.vn", "password": "Mat-khau-2026!"})
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("citizen:login"), {"username": staff.username, "password": "Mat-khau-2026!"})
    assert "_auth_user_id" not in client.session
    client.force_login(staff)
    response = client.get(reverse("citizen:dossiers"))
    assert response.status_code == 403
    assert not CitizenProfile.objects.filter(user=staff).exists()


def test_citizen_pages_need_sign_in(client):
    response = client.get(reverse("citizen:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("citizen:login"))


def test_sign_in_is_rate_limited(client, settings):
    settings.RATELIMIT_RATES = {"signin": ["3/minute"]}
    citizen(email="dan@example.com")
    for _ in range(3):
        client.post(reverse("citizen:login"), {"username": "dan@example.com", "password": "sai"})
    response = client.post(reverse("citizen:login"), {"username": "dan@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post(client):
    client.force_login(citizen())
    response = client.post(reverse("citizen:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- profile ----------------------------------------------------------------------------------------


def profile_data(**overrides):
    data = {
        "full_name": "Nguyễn Văn An",
        "id_number": "001190012345",
        "date_of_birth": "1990-05-17",
        "gender": "male",
        "address": "Số 1 Trần Hưng Đạo, Hạ Long",
        "phone": "0912345678",
        "email": "an@example.com",
        "organisation_name": "",
        "tax_code": "",
    }
    data.update(overrides)
    return data


def test_profile_saves_identity_metadata(client):
    user = citizen()
    client.force_login(user)
    response = client.post(
        reverse("citizen:profile"), profile_data(organisation_name="Công ty TNHH An Phát", tax_code="5701234567")
    )
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=user)
    assert (profile.id_number, str(profile.date_of_birth), profile.gender, profile.tax_code) == (
        "001190012345",
        "1990-05-17",
        "male",
        "5701234567",
    )
    user.refresh_from_db()
    assert (user.email, user.first_name) == ("an@example.com", "Nguyễn Văn An")
    assert profile_as_prefill(user) == {
        "full_name": "Nguyễn Văn An",
        "id_number": "001190012345",
        "date_of_birth": "1990-05-17",
        "gender": "male",
        "address": "Số 1 Trần Hưng Đạo, Hạ Long",
        "phone": "0912345678",
        "email": "an@example.com",
        "organisation_name": "Công ty TNHH An Phát",
        "tax_code": "5701234567",
    }


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"id_number": "00119001234"}, "id_number"),  # 11 digits
        ({"id_number": "00119001234X"}, "id_number"),
        ({"tax_code": "123456789"}, "tax_code"),  # 9 digits
        ({"tax_code": "5701234567-1"}, "tax_code"),
        ({"phone": "12345678"}, "phone"),
        ({"email": "khong-phai-email"}, "email"),
        ({"gender": "x"}, "gender"),
        ({"full_name": ""}, "full_name"),
        ({"email": "", "phone": ""}, "email"),  # keep a way to sign in
    ],
)
def test_profile_validation(client, overrides, field):
    client.force_login(citizen())
    response = client.post(reverse("citizen:profile"), profile_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_profile_accepts_a_branch_tax_code(client):
    client.force_login(citizen())
    response = client.post(reverse("citizen:profile"), profile_data(tax_code="5701234567-001"))
    assert response.status_code == 302


def test_profile_refuses_an_id_number_of_another_account(client):
    citizen(id_number="001190099999")
    client.force_login(citizen())
    response = client.post(reverse("citizen:profile"), profile_data(id_number="001190099999"))
    assert response.status_code == 400 and "id_number" in response.context["form"].errors


def test_verified_fields_cannot_be_changed(client):
    profile = CitizenUserFactory(full_name="Lê Thị Hoa", id_number="001190011111", verified=True)
    client.force_login(profile.user)
    response = client.post(
        reverse("citizen:profile"),
        profile_data(full_name="Người Khác", id_number="001190022222", email=profile.email, phone=profile.phone),
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.full_name, profile.id_number) == ("Lê Thị Hoa", "001190011111")


def test_prefill_of_anonymous_and_staff_is_blank(rf):
    from django.contrib.auth.models import AnonymousUser

    assert profile_as_prefill(AnonymousUser()) == dict.fromkeys(PREFILL_KEYS, "")
    assert profile_as_prefill(UserFactory()) == dict.fromkeys(PREFILL_KEYS, "")


# --- identity layer -----------------------------------------------------------------------------------


def test_only_the_local_provider_is_registered_and_the_interface_is_abstract(rf):
    # The national e-ID provider (portal/citizens/oidc.py) is registered too but enabled only when VNEID_OIDC_* is set.
    assert list(PROVIDERS)[0] == "local" and set(PROVIDERS) <= {"local", "vneid"}
    with pytest.raises(NotImplementedError):
        IdentityProvider().complete(rf.get("/"))


def test_verified_claims_link_by_id_number_and_refresh_verified_fields():
    profile = CitizenUserFactory(full_name="Nguyen Van An", id_number="001190012345")
    claims = IdentityClaims(
        provider="vneid", subject="sub-1", id_number="001190012345", full_name="Nguyễn Văn An", verified=True
    )
    user = link_or_create_citizen(claims, current_user=profile.user)
    profile.refresh_from_db()
    assert user == profile.user
    assert (profile.full_name, profile.verified, profile.external_subject) == ("Nguyễn Văn An", True, "sub-1")
    assert user.has_usable_password()  # linked while signed in to it: keeps the password
    assert link_or_create_citizen(claims) == user  # found again by the subject


def test_verified_claims_disable_the_password_of_an_unverified_account_someone_else_made():
    profile = CitizenUserFactory(id_number="001190012345")
    claims = IdentityClaims(
        provider="vneid", subject="sub-2", id_number="001190012345", full_name="Chủ thật", verified=True
    )
    user = link_or_create_citizen(claims)
    assert user == profile.user and not User.objects.get(pk=user.pk).has_usable_password()


def test_new_subject_creates_a_non_staff_citizen():
    user = link_or_create_citizen(
        IdentityClaims(
            provider="vneid", subject="sub-3", id_number="001190054321", full_name="Phạm Minh", verified=True
        )
    )
    assert not user.is_staff and user.citizen_profile.id_number == "001190054321"
    assert not user.has_usable_password()
