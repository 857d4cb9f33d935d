"""Roles and delegation (QN 12, TN 8, BN 7, TN 17.10đ): worked examples.

The system admin creates a unit and its unit admin; the unit admin creates, edits and revokes their own
unit's officials (never another unit's, never a province-wide role); revoking hands every open dossier to a
colleague in one action, with a ``reassign`` event and split step timers, and ends the account's sessions at
once. Supervisors read every unit but act on none; the police role sees no dossier at all.

The rules are in catalog/officials/services.py (and workflow.dossiers.services.dossier_reassign); the screens under
/admin/officials/ are driven through the test client here too, and state is checked in the database.
"""

import html
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from catalog.models import Agency, Official, TimeUnit
from catalog.officials import roles
from catalog.officials import services as accounts
from tests.factories.auth import confirmed_totp_device, mark_otp_verified
from tests.factories.workflow import UserFactory, official
from tests.factories.world import build_unit, in_roles, member
from workflow.dossiers import services
from workflow.dossiers.services import Applicant, Upload
from workflow.errors import ActionNotAllowed, ConcurrentChange, DossierError
from workflow.models import Action, DocumentKind, DossierEvent, Status, StepRun

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
User = get_user_model()


def t(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def page(response):
    return html.unescape(response.content.decode())


def url(name, *args):
    return reverse(f"officials:{name}", args=args)


def doc(name="to-khai.pdf", kind=DocumentKind.SUBMITTED):
    return Upload(name, ContentFile(b"%PDF-1.4 doc", name=name), kind)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def make_unit(code, name, prefix):
    """A unit with a unit admin, a one-stop officer, two specialists and a leader; a 1-day procedure whose
    4-step process lets the officer hold reception and return, both specialists the review, the leader approval."""
    return build_unit(
        code,
        name,
        procedure={"processing_time": Decimal("1"), "processing_time_unit": TimeUnit.DAY},
        officials={
            "admin": member(roles.UNIT_ADMIN, username=f"{prefix}quantri", first_name="Quản", last_name="Trần"),
            "officer": member(roles.RECEPTION_OFFICER, username=f"{prefix}motcua", first_name="Lan", last_name="Phạm"),
            "specialist": member(
                roles.SPECIALIST, username=f"{prefix}chuyenvien", first_name="Minh", last_name="Hoàng"
            ),
            "specialist2": member(roles.SPECIALIST, username=f"{prefix}chuyenvien2", first_name="Hà", last_name="Lê"),
            "leader": member(roles.LEADER, username=f"{prefix}lanhdao", first_name="Hải", last_name="Vũ"),
        },
    )


@pytest.fixture
def a():
    return make_unit("000.00.15.H99", "Sở Xây dựng", "a_")


@pytest.fixture
def b():
    return make_unit("000.00.16.H99", "Sở Tư pháp", "b_")


@pytest.fixture
def sysadmin():
    return UserFactory(username="quantri.hethong", is_superuser=True, first_name="Hệ", last_name="Thống")


@pytest.fixture
def supervisor(a):
    user = UserFactory(username="giamsat", first_name="Giám", last_name="Sát")
    return in_roles(user, roles.SUPERVISOR)


@pytest.fixture
def police():
    return in_roles(UserFactory(username="congan", first_name="An", last_name="Vũ"), roles.POLICE)


def receive(unit, at, name="Trần Thị Bình"):
    return services.dossier_receive_at_counter(
        actor=unit.officer,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name=name, id_number="001190012345", phone="0912345678"),
        files=[doc()],
        at=at,
    )


def at_review(unit, holder, received, forwarded):
    """A dossier received by the officer and forwarded to ``holder`` at the review step."""
    dossier = receive(unit, received)
    return services.dossier_forward(actor=unit.officer, dossier_id=dossier.pk, to_holder=holder, at=forwarded)


def open_run(dossier):
    return StepRun.objects.get(dossier=dossier, departed_at__isnull=True)


# --- role groups -----------------------------------------------------------------------------------------


def _perms(code):
    from portal.demo import loader

    loader.load_roles()
    group = roles.role_group(code)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_role_groups_carry_exactly_their_permissions():
    assert _perms(roles.POLICE) == {"wagtailadmin.access_admin", "catalog.view_access_statistics"}
    unit_admin = _perms(roles.UNIT_ADMIN)
    assert "catalog.manage_unit_officials" in unit_admin
    assert not any(p.startswith("auth.") for p in unit_admin)  # no way into Wagtail's Users / Groups screens
    assert {"catalog.view_all_units", "catalog.view_personaldataaccess"} <= _perms(roles.SUPERVISOR)
    for name in (roles.RECEPTION_OFFICER, roles.SPECIALIST, roles.LEADER):
        assert "catalog.manage_unit_officials" not in _perms(name)
    # every listed permission exists: a typo would silently drop it
    for name, labels in roles.PERMISSIONS.items():
        assert roles.permissions_for(name).count() == len(labels), name


def test_role_groups_are_created_when_first_given_and_then_left_alone(a, sysadmin):
    Group.objects.filter(role__code=roles.LEADER).delete()
    accounts.official_create(
        actor=sysadmin,
        agency=a.agency,
        username="lanhdao.moi",
        first_name="Mới",
        email="moi@example.gov.vn",
        role_names=[roles.LEADER],
    )
    group = roles.role_group(roles.LEADER)
    assert group.permissions.count() == len(roles.PERMISSIONS[roles.LEADER])
    group.permissions.clear()  # the system admin adjusted it in Settings → Groups
    accounts.official_create(
        actor=sysadmin,
        agency=a.agency,
        username="lanhdao.hai",
        first_name="Hai",
        email="hai@example.gov.vn",
        role_names=[roles.LEADER],
    )
    assert group.permissions.count() == 0


def test_renaming_role_groups_in_settings_keeps_roles_permissions_and_notifications(a, b, sysadmin, supervisor):
    from feedback import notify
    from workflow.reports.services import supervisors

    supervisor.email = "giamsat@example.gov.vn"
    supervisor.save()
    b.specialist.official.agency = a.agency  # in a's unit, but a province-wide role holder: not a's to manage
    in_roles(b.specialist, roles.SUPERVISOR).official.save()
    for code in roles.PERMISSIONS:  # the system admin renames every role group in Settings → Groups
        group = roles.role_group(code)
        group.name = f"Nhóm đã đổi tên {code}"
        group.save()
    groups = Group.objects.count()

    # permissions and role checks: the unit admin still manages their unit, and only it
    a.admin = User.objects.get(pk=a.admin.pk)
    assert a.admin.has_perm("catalog.manage_unit_officials")
    client = login(a.admin)
    listing = page(client.get(url("index")))
    assert "a_chuyenvien2" in listing and "b_chuyenvien" not in listing
    assert str(roles.LABELS[roles.SPECIALIST]) in listing  # roles are shown by their label, whatever the name
    form = page(client.get(url("edit", a.specialist.pk)))
    assert re.search(rf'value="{roles.SPECIALIST}"[^>]*checked', form)
    response = client.post(url("edit", a.specialist.pk), {"roles": [roles.SPECIALIST, roles.LEADER]})
    assert response.status_code == 302
    assert set(a.specialist.groups.values_list("role__code", flat=True)) == {roles.SPECIALIST, roles.LEADER}
    assert client.post(url("edit", a.admin.pk), {"roles": [roles.LEADER]}).status_code == 400  # own admin role
    assert client.get(url("edit", b.specialist.pk)).status_code == 404
    accounts.official_create(
        actor=sysadmin, agency=a.agency, username="moi", first_name="Mới", role_names=[roles.LEADER]
    )
    assert Group.objects.count() == groups  # the renamed groups are used, no new ones made

    # notifications still reach the role holders
    assert {a.admin.email, a.leader.email} <= set(notify.agency_recipients(a.agency.pk))
    assert a.specialist2.email not in notify.agency_recipients(a.agency.pk)
    roles.role_group(roles.SUPERVISOR).permissions.clear()  # found by its role, not by a permission
    assert supervisor.email in notify.centre_recipients()
    assert supervisor in supervisors()


def test_role_groups_made_before_the_codes_are_attached_by_their_default_name():
    import importlib

    from django.apps import apps

    from catalog.models import RoleGroup

    migration = importlib.import_module("catalog.migrations.0005_role_group")
    assert migration.DEFAULT_NAMES == roles.DEFAULT_NAMES
    specialists = Group.objects.create(name=roles.DEFAULT_NAMES[roles.SPECIALIST])
    leaders = Group.objects.create(name="Lãnh đạo (đã có mã)")
    RoleGroup.objects.create(group=leaders, code=roles.LEADER)
    Group.objects.create(name=roles.DEFAULT_NAMES[roles.LEADER])  # the leader role already has its group
    Group.objects.create(name="Nhóm khác")

    migration.attach_existing_groups(apps, None)

    assert dict(RoleGroup.objects.values_list("code", "group__name")) == {
        roles.SPECIALIST: roles.DEFAULT_NAMES[roles.SPECIALIST],
        roles.LEADER: "Lãnh đạo (đã có mã)",
    }
    assert roles.role_group(roles.SPECIALIST) == specialists and roles.role_group(roles.LEADER) == leaders
    # a role without a group gets a new one, named by the default name (or beside it, when taken)
    assert roles.role_group(roles.POLICE).name == roles.DEFAULT_NAMES[roles.POLICE]
    leaders.role.delete()
    assert roles.role_group(roles.LEADER) == Group.objects.get(name=roles.DEFAULT_NAMES[roles.LEADER])


# --- the system admin delegates a unit -------------------------------------------------------------------


def test_system_admin_creates_a_unit_and_its_unit_admin_who_then_manages_it(sysadmin):
    client = login(sysadmin)
    for name in ("index", "add", "add_unit", "add_system"):
        assert client.get(url(name)).status_code == 200
    response = client.post(
        url("add_unit"),
        {
            "code": "000.00.20.H99",
            "name": "Sở Văn hóa và Thể thao",
            "level": "province",
            "username": "quantri.svh",
            "first_name": "Hoa",
            "last_name": "Ngô",
            "email": "qt.svh@example.gov.vn",
            "position": "Phó Chánh Văn phòng",
        },
        follow=True,
    )
    assert response.status_code == 200
    agency = Agency.objects.get(code="000.00.20.H99")
    admin = User.objects.get(username="quantri.svh")
    assert admin.official.agency == agency and admin.is_staff and admin.is_active
    assert list(admin.groups.values_list("role__code", flat=True)) == [roles.UNIT_ADMIN]
    assert admin.has_usable_password()  # a random one: "Forgot password?" can reset it
    assert _("Unit “%(unit)s” created with its unit admin “%(username)s”.") % {
        "unit": agency.name,
        "username": "quantri.svh",
    } in page(response)

    # the new unit admin sees the "Officials" menu and only their unit
    admin_client = login(admin)
    home = admin_client.get(reverse("wagtailadmin_home"))
    assert url("index") in page(home)
    listing = admin_client.get(url("index"))
    assert listing.status_code == 200
    assert "quantri.svh" in page(listing)


def test_unit_creation_with_bad_input_creates_nothing(sysadmin, a):
    client = login(sysadmin)
    # a bad agency code is refused before anything is saved
    response = client.post(
        url("add_unit"),
        {
            "code": "SXD-1",
            "name": "Sở Văn hóa",
            "level": "province",
            "username": "quantri.x",
            "first_name": "X",
            "email": "x@example.gov.vn",
        },
    )
    assert response.status_code == 400
    assert not Agency.objects.filter(name="Sở Văn hóa").exists()
    assert not User.objects.filter(username="quantri.x").exists()
    # a taken user name: the unit is not created either (one transaction)
    response = client.post(
        url("add_unit"),
        {
            "code": "000.00.21.H99",
            "name": "Sở Văn hóa",
            "level": "province",
            "username": "A_QUANTRI",
            "first_name": "X",
            "email": "x@example.gov.vn",
        },
    )
    assert response.status_code == 400
    assert _("This user name is already taken.") in page(response)
    assert not Agency.objects.filter(code="000.00.21.H99").exists()


def test_system_admin_creates_province_wide_accounts(sysadmin, a):
    client = login(sysadmin)
    for username, role, agency in (
        ("giamsat.snv", roles.SUPERVISOR, a.agency.pk),
        ("congan.pa05", roles.POLICE, ""),
        ("bientap.moi", roles.CONTENT_EDITOR, ""),
    ):
        response = client.post(
            url("add_system"),
            {
                "role": role,
                "agency": agency,
                "username": username,
                "first_name": "Tên",
                "email": f"{username}@example.gov.vn",
            },
        )
        assert response.status_code == 302, page(response)
        assert list(User.objects.get(username=username).groups.values_list("role__code", flat=True)) == [role]
    assert User.objects.get(username="giamsat.snv").official.agency == a.agency
    assert not Official.objects.filter(user__username="congan.pa05").exists()  # police: never in a unit
    listing = page(client.get(url("index")))
    assert "congan.pa05" in listing and "bientap.moi" in listing

    # a unit admin has none of these screens, and never sees the supervisor attached to their unit
    unit_admin = login(a.admin)
    assert unit_admin.get(url("add_system")).status_code == 403
    assert unit_admin.get(url("add_unit")).status_code == 403
    assert "giamsat.snv" not in page(unit_admin.get(url("index")))
    supervisor = User.objects.get(username="giamsat.snv")
    assert unit_admin.get(url("edit", supervisor.pk)).status_code == 404
    assert unit_admin.post(url("revoke", supervisor.pk), {}).status_code == 404
    with pytest.raises(accounts.AccountNotFound):
        accounts.official_revoke(actor=a.admin, official=supervisor)
    supervisor.refresh_from_db()
    assert supervisor.is_active


# --- the unit admin manages their own unit -------------------------------------------------------------


def test_unit_admin_creates_an_official_of_their_unit_in_unit_roles(a):
    client = login(a.admin)
    form = page(client.get(url("add")))
    assert roles.SUPERVISOR not in form and roles.POLICE not in form  # only unit roles are offered
    response = client.post(
        url("add"),
        {
            "agency": a.agency.pk,
            "username": "a_chuyenvien3",
            "first_name": "Thu",
            "last_name": "Đỗ",
            "email": "thu@example.gov.vn",
            "position": "Chuyên viên",
            "roles": [roles.SPECIALIST, roles.LEADER],
        },
        follow=True,
    )
    assert _("Account “%(username)s” created.") % {"username": "a_chuyenvien3"} in page(response)
    created = User.objects.get(username="a_chuyenvien3")
    assert created.official.agency == a.agency and created.official.position == "Chuyên viên"
    assert set(created.groups.values_list("role__code", flat=True)) == {roles.SPECIALIST, roles.LEADER}
    # the new official can use the admin and sees their unit's inbox
    assert login(created).get(reverse("dossiers:index")).status_code == 200


def test_unit_admin_cannot_create_in_another_unit_or_give_province_wide_roles(a, b):
    client = login(a.admin)
    before = User.objects.count()
    response = client.post(
        url("add"),
        {
            "agency": b.agency.pk,
            "username": "xam",
            "first_name": "X",
            "email": "x@example.gov.vn",
            "roles": [roles.SPECIALIST],
        },
    )
    assert response.status_code == 400
    response = client.post(
        url("add"),
        {
            "agency": a.agency.pk,
            "username": "xam",
            "first_name": "X",
            "email": "x@example.gov.vn",
            "roles": [roles.SUPERVISOR],
        },
    )
    assert response.status_code == 400
    assert User.objects.count() == before
    with pytest.raises(accounts.AccountNotAllowed):
        accounts.official_create(
            actor=a.admin, agency=b.agency, username="xam", first_name="X", role_names=[roles.SPECIALIST]
        )
    for role in (roles.SUPERVISOR, roles.POLICE, roles.CONTENT_EDITOR):
        with pytest.raises(accounts.AccountNotAllowed):
            accounts.official_create(actor=a.admin, agency=a.agency, username="xam", first_name="X", role_names=[role])
        with pytest.raises(accounts.AccountNotAllowed):
            accounts.official_set_roles(actor=a.admin, official=a.specialist, role_names=[role])
    with pytest.raises(accounts.AccountNotAllowed):
        accounts.system_account_create(actor=a.admin, role_name=roles.POLICE, username="xam")
    with pytest.raises(accounts.AccountNotAllowed):
        accounts.agency_create(actor=a.admin, code="000.00.22.H99", name="Sở mới")
    assert User.objects.count() == before
    assert list(a.specialist.groups.values_list("role__code", flat=True)) == [roles.SPECIALIST]


def test_unit_admin_cannot_touch_another_units_official(a, b):
    client = login(a.admin)
    listing = page(client.get(url("index")))
    assert "a_chuyenvien" in listing and "b_chuyenvien" not in listing
    assert client.get(url("edit", b.specialist.pk)).status_code == 404
    assert client.post(url("edit", b.specialist.pk), {"roles": [roles.LEADER]}).status_code == 404
    assert client.get(url("revoke", b.specialist.pk)).status_code == 404
    assert client.post(url("revoke", b.specialist.pk), {"successor": ""}).status_code == 404
    assert client.get(url("edit", 10**12)).status_code == 404
    b.specialist.refresh_from_db()
    assert b.specialist.is_active
    assert list(b.specialist.groups.values_list("role__code", flat=True)) == [roles.SPECIALIST]
    with pytest.raises(accounts.AccountNotFound):
        accounts.official_set_roles(actor=a.admin, official=b.specialist, role_names=[roles.LEADER])
    with pytest.raises(accounts.AccountNotFound):
        accounts.official_revoke(actor=a.admin, official=b.specialist, successor=b.specialist2)


def test_unit_admin_edits_roles_but_not_their_own_admin_role(a):
    client = login(a.admin)
    form = page(client.get(url("edit", a.specialist.pk)))
    assert re.search(rf'value="{roles.SPECIALIST}"[^>]*checked', form)  # the current roles are ticked
    assert not re.search(rf'value="{roles.LEADER}"[^>]*checked', form)
    assert roles.SUPERVISOR not in form
    response = client.post(
        url("edit", a.specialist.pk),
        {"roles": [roles.SPECIALIST, roles.LEADER], "position": "Phó trưởng phòng"},
        follow=True,
    )
    assert _("Roles of “%(username)s” saved.") % {"username": "a_chuyenvien"} in page(response)
    assert set(a.specialist.groups.values_list("role__code", flat=True)) == {roles.SPECIALIST, roles.LEADER}
    assert Official.objects.get(user=a.specialist).position == "Phó trưởng phòng"

    response = client.post(url("edit", a.admin.pk), {"roles": [roles.LEADER]})
    assert response.status_code == 400
    assert _("You cannot remove your own unit admin role.") in page(response)
    assert list(a.admin.groups.values_list("role__code", flat=True)) == [roles.UNIT_ADMIN]
    response = client.post(url("edit", a.specialist.pk), {"roles": []})
    assert response.status_code == 400
    assert set(a.specialist.groups.values_list("role__code", flat=True)) == {roles.SPECIALIST, roles.LEADER}


def test_officials_without_the_admin_role_have_no_account_screens(a, supervisor, police):
    for user in (a.specialist, a.leader, a.officer, supervisor, police):
        client = login(user)
        assert client.get(url("index")).status_code == 403
        assert client.get(url("add")).status_code == 403
        assert client.post(url("revoke", a.officer.pk), {}).status_code == 403
        assert url("index") not in page(client.get(reverse("wagtailadmin_home")))
    a.officer.refresh_from_db()
    assert a.officer.is_active


@pytest.mark.parametrize(
    "name",
    ["wagtailusers_users:index", "wagtailusers_users:add", "wagtailusers_groups:index", "wagtailusers_groups:add"],
)
def test_unit_admin_cannot_escalate_through_wagtails_users_and_groups(a, sysadmin, name):
    client = login(a.admin)
    response = client.get(reverse(name))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] != reverse(name)
    assert login(sysadmin).get(reverse(name)).status_code == 200


def test_unit_admin_cannot_make_themselves_superuser_through_wagtail(a):
    client = login(a.admin)
    group = roles.role_group(roles.UNIT_ADMIN)
    for target in (
        reverse("wagtailusers_users:edit", args=[a.admin.pk]),
        reverse("wagtailusers_users:edit", args=[a.specialist.pk]),
    ):
        response = client.post(
            target,
            {
                "username": "a_quantri",
                "email": "x@example.gov.vn",
                "first_name": "Q",
                "last_name": "T",
                "is_superuser": "on",
                "is_active": "on",
                "groups": [group.pk],
            },
        )
        assert response.status_code in (302, 403)
    response = client.post(
        reverse("wagtailusers_groups:edit", args=[group.pk]),
        {"name": group.name, "permissions": list(Permission.objects.values_list("pk", flat=True))},
    )
    assert response.status_code in (302, 403)
    a.admin.refresh_from_db()
    assert not a.admin.is_superuser
    assert not group.permissions.filter(content_type__app_label="auth").exists()


# --- revoking ---------------------------------------------------------------------------------------------


def test_revoke_hands_every_open_dossier_to_the_successor_with_events_and_split_timers(a):
    d1 = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    d2 = at_review(a, a.specialist, t("2026-03-03 08:10"), t("2026-03-03 09:30"))
    other = at_review(a, a.specialist2, t("2026-03-03 08:20"), t("2026-03-03 09:40"))
    closed_run_before = open_run(d1)

    with freeze_time(t("2026-03-03 10:00")):
        client = login(a.admin)
        confirm = client.get(url("revoke", a.specialist.pk))
        assert confirm.status_code == 200
        assert 'data-count="2"' in page(confirm) and d1.code in page(confirm) and d2.code in page(confirm)
        # the chooser offers active colleagues of the unit only
        assert "a_chuyenvien2" not in page(confirm)  # labels are names, not user names
        assert "Hà Lê".split()[0] in page(confirm)
        response = client.post(
            url("revoke", a.specialist.pk),
            {"successor": a.specialist2.official.pk, "comment": "Chuyển công tác"},
            follow=True,
        )
    message = _("Account “%(username)s” revoked; %(count)s open dossier(s) handed over to %(name)s.") % {
        "username": "a_chuyenvien",
        "count": 2,
        "name": a.specialist2.get_full_name(),
    }
    assert message in page(response)

    a.specialist.refresh_from_db()
    assert not a.specialist.is_active and not a.specialist.has_usable_password()
    logged = ModelLogEntry.objects.get(action=accounts.LOG_REVOKE, object_id=str(a.specialist.pk))
    assert logged.user == a.admin and sorted(logged.data["dossiers"]) == sorted([d1.code, d2.code])
    for dossier in (d1, d2):
        dossier.refresh_from_db()
        assert dossier.current_holder == a.specialist2 and dossier.current_step == a.steps[1]
        event = dossier.events.get(action=Action.REASSIGN)
        assert event.actor == a.admin and event.to_holder == a.specialist2
        assert event.data["from_holder"] == a.specialist.pk
        assert event.data["from_holder_name"] == a.specialist.get_full_name()
        assert event.data["to_holder_name"] == a.specialist2.get_full_name()
        assert event.comment == "Chuyển công tác"
        assert event.from_step == event.to_step == a.steps[1]
        # the leaving holder's timer closed at the revocation, the colleague's opened then
        left = StepRun.objects.get(dossier=dossier, holder=a.specialist)
        assert left.departed_at == t("2026-03-03 10:00")
        run = open_run(dossier)
        assert run.holder == a.specialist2 and run.arrived_at == t("2026-03-03 10:00") and run.step == a.steps[1]
    assert StepRun.objects.get(pk=closed_run_before.pk).used_minutes == 60  # 09:00 -> 10:00
    assert event.step_used_minutes == 30  # d2: 09:30 -> 10:00
    # the review allowance is shared by both stays: the colleague has what is left of it
    # 4 h 30 left from 10:00: 1 h 30 until 11:30, then 3 h from 13:00 -> 16:00
    assert open_run(d2).due_at == t("2026-03-03 16:00")
    other.refresh_from_db()
    assert other.current_holder == a.specialist2 and not other.events.filter(action=Action.REASSIGN).exists()
    # the colleague now finds them in their inbox and can act
    services.dossier_forward(actor=a.specialist2, dossier_id=d1.pk, at=t("2026-03-03 10:30"))


def test_revoke_without_open_dossiers_needs_no_successor(a):
    outcome = accounts.official_revoke(actor=a.admin, official=a.leader)
    assert outcome.dossiers == [] and outcome.successor is None
    a.leader.refresh_from_db()
    assert not a.leader.is_active
    with pytest.raises(accounts.InvalidAccountInput):
        accounts.official_revoke(actor=a.admin, official=a.leader)  # already revoked


def test_revoke_refuses_without_a_successor_when_dossiers_are_open(a):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    client = login(a.admin)
    response = client.post(url("revoke", a.specialist.pk), {"successor": ""})
    assert response.status_code == 400
    with pytest.raises(accounts.InvalidAccountInput) as refused:
        accounts.official_revoke(actor=a.admin, official=a.specialist)
    assert refused.value.message == _(
        "%(count)s open dossier(s) are held by this official: choose a colleague to take them over."
    ) % {"count": 1}
    a.specialist.refresh_from_db()
    dossier.refresh_from_db()
    assert a.specialist.is_active and dossier.current_holder == a.specialist


def test_revoke_refuses_a_successor_of_another_unit_and_changes_nothing(a, b):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    client = login(a.admin)
    response = client.post(url("revoke", a.specialist.pk), {"successor": b.specialist.official.pk})
    assert response.status_code == 400
    with pytest.raises(accounts.InvalidAccountInput):
        accounts.official_revoke(actor=a.admin, official=a.specialist, successor=b.specialist)
    with pytest.raises(accounts.InvalidAccountInput):
        accounts.official_revoke(actor=a.admin, official=a.specialist, successor=a.specialist)
    a.specialist.refresh_from_db()
    dossier.refresh_from_db()
    assert a.specialist.is_active and dossier.current_holder == a.specialist
    assert not DossierEvent.objects.filter(action=Action.REASSIGN).exists()


def test_revoke_rolls_back_entirely_when_the_successor_cannot_hold_one_step(a):
    # the specialist holds two dossiers at review (the leader cannot hold review) ...
    d1 = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    d2 = at_review(a, a.specialist, t("2026-03-03 08:10"), t("2026-03-03 09:10"))
    runs_before = StepRun.objects.count()
    client = login(a.admin)
    response = client.post(url("revoke", a.specialist.pk), {"successor": a.leader.official.pk})
    assert response.status_code == 400
    expected = _("%(name)s cannot hold the step “%(step)s”.") % {
        "name": a.leader.get_full_name(),
        "step": a.steps[1].name,
    }
    assert expected in page(response) and d1.code in page(response)
    a.specialist.refresh_from_db()
    assert a.specialist.is_active and a.specialist.has_usable_password()
    for dossier in (d1, d2):
        dossier.refresh_from_db()
        assert dossier.current_holder == a.specialist
    assert StepRun.objects.count() == runs_before
    assert not DossierEvent.objects.filter(action=Action.REASSIGN).exists()
    assert Session.objects.count() >= 1  # nobody was signed out


def test_a_dossier_waiting_for_a_supplement_returns_to_the_successor(a):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    services.dossier_request_supplement(
        actor=a.specialist,
        dossier_id=dossier.pk,
        comment="Thiếu bản vẽ",
        files=[doc("phieu.pdf", DocumentKind.SLIP)],
        at=t("2026-03-03 09:30"),
    )
    outcome = accounts.official_revoke(
        actor=a.admin, official=a.specialist, successor=a.specialist2, at=t("2026-03-03 10:00")
    )
    assert [d.pk for d in outcome.dossiers] == [dossier.pk]
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT and dossier.current_holder == a.specialist2
    assert not StepRun.objects.filter(dossier=dossier, departed_at__isnull=True).exists()  # still paused
    event = dossier.events.get(action=Action.REASSIGN)
    assert event.step_used_minutes is None and event.data["from_holder"] == a.specialist.pk

    services.dossier_resubmit(
        actor=a.officer, dossier_id=dossier.pk, files=[doc("ban-ve.pdf")], at=t("2026-03-04 08:00")
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.current_step == a.steps[1]
    assert dossier.current_holder == a.specialist2
    assert open_run(dossier).holder == a.specialist2


def test_a_dossier_returned_for_explanation_to_a_revoked_sender_waits_for_the_steps_group(a):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    services.dossier_forward(actor=a.specialist, dossier_id=dossier.pk, to_holder=a.leader, at=t("2026-03-03 09:30"))
    accounts.official_revoke(actor=a.admin, official=a.specialist, at=t("2026-03-03 10:00"))
    services.dossier_return_previous(
        actor=a.leader, dossier_id=dossier.pk, comment="Giải trình", at=t("2026-03-03 10:30")
    )
    dossier.refresh_from_db()
    assert dossier.current_step == a.steps[1] and dossier.current_holder is None  # the review group picks it up
    services.dossier_forward(actor=a.specialist2, dossier_id=dossier.pk, at=t("2026-03-03 11:00"))


def test_nobody_revokes_themselves_and_superusers_are_out_of_a_unit_admins_reach(a, sysadmin):
    with pytest.raises(accounts.InvalidAccountInput):
        accounts.official_revoke(actor=a.admin, official=a.admin)
    Official.objects.create(user=sysadmin, agency=a.agency)
    with pytest.raises(accounts.AccountNotFound):
        accounts.official_revoke(actor=a.admin, official=sysadmin)
    # the system admin may revoke a unit admin
    accounts.official_revoke(actor=sysadmin, official=a.admin)
    a.admin.refresh_from_db()
    assert not a.admin.is_active


def test_revoking_a_police_account(sysadmin, police):
    client = login(sysadmin)
    assert client.get(url("revoke", police.pk)).status_code == 200
    response = client.post(url("revoke", police.pk), {"comment": ""}, follow=True)
    assert _("Account “%(username)s” revoked.") % {"username": "congan"} in page(response)
    police.refresh_from_db()
    assert not police.is_active


# --- a revoked official's session stops at once ----------------------------------------------------------


def test_a_revoked_officials_session_stops_on_the_very_next_request(a):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    browser = login(a.specialist)
    api = APIClient()
    api.force_login(a.specialist)
    assert browser.get(reverse("wagtailadmin_home")).status_code == 200
    assert api.get("/api/v1/dossiers/").status_code == 200
    assert Session.objects.count() == 2

    outcome = accounts.official_revoke(actor=a.admin, official=a.specialist, successor=a.specialist2)
    assert outcome.sessions_ended == 2
    assert Session.objects.count() == 0

    response = browser.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]
    assert browser.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 302
    assert api.get("/api/v1/dossiers/").status_code in (401, 403)
    assert api.post(f"/api/v1/dossiers/{dossier.pk}/forward/", {}, format="json").status_code in (401, 403)
    # and the old password no longer signs in
    response = Client().post(reverse("wagtailadmin_login"), {"username": "a_chuyenvien", "password": "Mat-khau-2026!"})
    assert response.status_code == 200 and "_auth_user_id" not in Client().session
    a.specialist.refresh_from_db()
    assert not a.specialist.check_password("Mat-khau-2026!")


@pytest.mark.real_otp
def test_unit_admin_resets_a_lost_authenticator_and_the_official_enrols_again(a, b):
    device = confirmed_totp_device(a.specialist)
    browser = login(a.specialist)
    mark_otp_verified(browser, a.specialist)
    assert browser.get(reverse("wagtailadmin_home")).status_code == 200
    admin = login(a.admin)
    mark_otp_verified(admin, a.admin)

    response = admin.post(url("reset_otp", a.specialist.pk), follow=True)
    assert str(
        _("Second factor of “%(username)s” reset: they enrol a new authenticator at their next sign-in.")
        % {"username": a.specialist.username}
    ) in page(response)
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # the verified session is gone; signing in again leads to the enrolment page
    assert browser.get(reverse("wagtailadmin_home")).status_code == 302
    again = login(a.specialist)
    response = again.get(reverse("wagtailadmin_home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("portal_otp_setup"))

    # nobody else's, and not one's own
    other = confirmed_totp_device(b.specialist)
    assert admin.post(url("reset_otp", b.specialist.pk)).status_code == 404
    assert TOTPDevice.objects.filter(pk=other.pk).exists()
    own = confirmed_totp_device(a.admin)
    with pytest.raises(accounts.InvalidAccountInput):
        accounts.official_reset_second_factor(actor=a.admin, official=a.admin)
    assert TOTPDevice.objects.filter(pk=own.pk).exists()
    with pytest.raises(accounts.AccountError):
        accounts.official_reset_second_factor(actor=a.officer, official=a.specialist2)


def test_a_disabled_account_is_refused_even_if_its_session_survived(a):
    """Belt and braces: the inactive-user check alone stops the session (e.g. a session store we did not
    clean, or an account disabled outside the revoke screen)."""
    browser = login(a.specialist)
    api = APIClient()
    api.force_login(a.specialist)
    User.objects.filter(pk=a.specialist.pk).update(is_active=False)
    assert Session.objects.count() == 2
    response = browser.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]
    assert api.get("/api/v1/dossiers/").status_code in (401, 403)


# --- supervisors read, police see statistics only ---------------------------------------------------------


def test_supervisor_reads_any_units_dossier_but_every_action_is_refused(a, b, supervisor):
    dossier = at_review(b, b.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    client = login(supervisor)
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 200
    api = APIClient()
    api.force_login(supervisor)
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 200

    refused = _("Supervisors can read this dossier but not act on it.")
    with pytest.raises(ActionNotAllowed) as error:
        services.dossier_forward(actor=supervisor, dossier_id=dossier.pk)
    assert error.value.message == refused
    for call in (
        lambda: services.dossier_handover(actor=supervisor, dossier_id=dossier.pk, colleague=b.specialist2),
        lambda: services.dossier_return_previous(actor=supervisor, dossier_id=dossier.pk, comment="x"),
        lambda: services.dossier_stop(actor=supervisor, dossier_id=dossier.pk, reason="x", files=[]),
    ):
        with pytest.raises(ActionNotAllowed):
            call()
    response = client.post(
        reverse("dossiers:action", args=[dossier.pk, "forward"]),
        {"forward-revision": dossier.revision, "forward-to_step": b.steps[2].pk, "forward-comment": ""},
        follow=True,
    )
    assert refused in page(response)
    response = api.post(f"/api/v1/dossiers/{dossier.pk}/forward/", {"revision": dossier.revision}, format="json")
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.current_holder == b.specialist and dossier.current_step == b.steps[1]
    assert dossier.events.count() == 2


def test_police_see_no_dossier_in_the_admin_or_the_api(a, police):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    client = login(police)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200  # they may use the admin ...
    for name, args in (("dossiers:index", []), ("dossiers:detail", [dossier.pk])):
        response = client.get(reverse(name, args=args))  # ... but not the dossiers (Wagtail: back to the dashboard)
        assert response.status_code in (302, 403, 404)
        assert response.status_code != 302 or response["Location"] == reverse("wagtailadmin_home")
        assert dossier.code not in page(response) and dossier.applicant_name not in page(response)
    api = APIClient()
    api.force_login(police)
    assert api.get("/api/v1/dossiers/").status_code in (403, 404)
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/").status_code in (403, 404)
    assert police.has_perm("catalog.view_access_statistics")
    assert not police.has_perm("catalog.view_personaldataaccess")
    assert not police.has_perm("catalog.view_all_units")


# --- concurrency: a revocation and an action on the same dossier -----------------------------------------


def test_revoke_after_the_holder_opened_the_form_wins_and_the_stale_action_is_refused(a):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    seen = dossier.revision  # the specialist's form carries this revision
    accounts.official_revoke(actor=a.admin, official=a.specialist, successor=a.specialist2, at=t("2026-03-03 10:00"))
    with pytest.raises((ConcurrentChange, ActionNotAllowed)):
        services.dossier_forward(actor=a.specialist, dossier_id=dossier.pk, revision=seen, at=t("2026-03-03 10:01"))
    dossier.refresh_from_db()
    assert dossier.current_holder == a.specialist2 and dossier.current_step == a.steps[1]


def test_an_action_that_came_first_wins_and_the_revoke_moves_only_what_is_still_held(a):
    d1 = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    d2 = at_review(a, a.specialist, t("2026-03-03 08:10"), t("2026-03-03 09:10"))
    services.dossier_forward(
        actor=a.specialist, dossier_id=d1.pk, revision=d1.revision, to_holder=a.leader, at=t("2026-03-03 09:50")
    )
    outcome = accounts.official_revoke(
        actor=a.admin, official=a.specialist, successor=a.specialist2, at=t("2026-03-03 10:00")
    )
    assert [d.pk for d in outcome.dossiers] == [d2.pk]
    d1.refresh_from_db()
    assert d1.current_holder == a.leader and not d1.events.filter(action=Action.REASSIGN).exists()


def test_reassign_refuses_a_dossier_that_moved_on_since_the_caller_looked(a):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    services.dossier_handover(
        actor=a.specialist, dossier_id=dossier.pk, colleague=a.specialist2, at=t("2026-03-03 09:30")
    )
    with pytest.raises(ConcurrentChange):
        services.dossier_reassign(
            actor=a.admin,
            dossier_id=dossier.pk,
            from_holder=a.specialist,
            to_holder=a.officer,
            at=t("2026-03-03 10:00"),
        )
    with pytest.raises(DossierError):  # and only the unit's administrator reassigns at all
        services.dossier_reassign(actor=a.leader, dossier_id=dossier.pk, to_holder=a.specialist)
    dossier.refresh_from_db()
    assert dossier.current_holder == a.specialist2


# --- the list: scoped, with counts, without N+1 ----------------------------------------------------------


def test_the_officials_list_runs_the_same_queries_for_few_or_many_officials(a):
    client = login(a.admin)
    at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    client.get(url("index"))  # warm caches (content types, site)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("index"))
        assert response.status_code == 200
        return len(captured), page(response)

    few, _listing = queries()
    for n in range(12):
        in_roles(official(a.agency, f"a_moi{n}"), roles.SPECIALIST, roles.LEADER)
    many, listing = queries()
    assert few == many
    assert 'data-open-dossiers="1"' in listing  # the specialist's dossier is counted


# --- the same races on PostgreSQL, in real concurrent transactions (CI; skipped on SQLite) --------------


def postgres_only(test):
    for mark in (
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
        pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI: DATABASE_URL)"),
    ):
        test = mark(test)
    return test


def _race(*calls):
    """Run ``calls`` at the same moment in their own threads (and connections); their results or errors."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except (DossierError, accounts.AccountError) as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _later(seconds, call):
    import time

    def run():
        time.sleep(seconds)
        return call()

    return run


@pytest.mark.parametrize("action_delay", [0, 0, 0.3, 0.3])  # without delay the action usually wins, with it the revoke
@postgres_only
def test_pg_a_revoke_racing_the_holders_action_one_wins(a, action_delay):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    seen = dossier.revision
    forward, revoke = _race(
        _later(
            action_delay,
            lambda: services.dossier_forward(
                actor=a.specialist, dossier_id=dossier.pk, revision=seen, to_holder=a.leader, at=t("2026-03-03 10:00")
            ),
        ),
        lambda: accounts.official_revoke(
            actor=a.admin, official=a.specialist, successor=a.specialist2, at=t("2026-03-03 10:00")
        ),
    )
    assert isinstance(revoke, accounts.RevokeOutcome)  # the revocation always goes through
    dossier.refresh_from_db()
    if isinstance(forward, DossierError):  # the revocation came first: the stale action changed nothing
        assert isinstance(forward, ConcurrentChange)
        assert [d.pk for d in revoke.dossiers] == [dossier.pk]
        assert dossier.current_holder == a.specialist2 and dossier.current_step == a.steps[1]
    else:  # the action came first: the dossier was no longer the leaver's to hand over
        assert revoke.dossiers == []
        assert dossier.current_holder == a.leader and dossier.current_step == a.steps[2]
        assert not dossier.events.filter(action=Action.REASSIGN).exists()
    assert StepRun.objects.filter(dossier=dossier, departed_at__isnull=True).count() == 1


@postgres_only
def test_pg_two_admins_revoking_the_same_official_one_wins(a, sysadmin):
    dossier = at_review(a, a.specialist, t("2026-03-03 08:00"), t("2026-03-03 09:00"))
    outcomes = _race(
        lambda: accounts.official_revoke(actor=a.admin, official=a.specialist, successor=a.specialist2),
        lambda: accounts.official_revoke(actor=sysadmin, official=a.specialist, successor=a.specialist2),
    )
    won = [o for o in outcomes if isinstance(o, accounts.RevokeOutcome)]
    lost = [o for o in outcomes if isinstance(o, accounts.AccountError)]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].message == _("This account is already revoked.")
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.REASSIGN).count() == 1
