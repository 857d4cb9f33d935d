"""Per-unit scoping, end to end (DESIGN §10, issue 8): nobody outside unit B reaches B's objects by URL.

One world is built once for the module (``world``): two units A and B, each with a one-stop officer, a
specialist, a leader and a unit admin in the role groups the demo creates (portal/demo/loader.py), plus a
supervisor, a police account, a content editor, citizens and anonymous. Unit B owns one of everything that
belongs to a unit: an online dossier filled through an e-form (answers + the filled PDF + an uploaded file),
its slips, a process with steps (published and draft), an e-form with a published and a draft version,
feedback with an attachment, a rating, a citizen question, late-list rows and a slip template; its applicant
has a data-store document and an e-form filling.

Each role signs in once (``clients``: one client per role for the module); a test takes one URL and tries it
as every outsider in turn (each attempt in a savepoint rolled back), then lists every failure (role, URL, why).

* ``test_outsider_is_refused``: every URL that names a B object (admin screens, API ids, file downloads,
  Wagtail's choosers, bulk actions and editing sessions) × every outsider role → 403/404 (or a redirect to a
  sign-in page or the admin home), no B data in the body, and for POSTs nothing changed in the database;
* ``test_owner_reaches_it``: the same URLs open for B's own user (so the refusals above can fail);
* ``test_outsider_lists_hold_nothing_of_b``: lists, searches, choosers, bulk "select all", API lists, reports,
  exports and the officials' accounts contain nothing of B; ``test_own_lists_show_the_own_objects``: they do
  list the user's own unit's objects;
* ``test_access_log_screens``: the personal-data access log for supervisors, its statistics for supervisors
  and the police, nobody else;
* ``test_supervisor_*``: the supervisor reads B's dossier but every action (admin and API) is refused;
* ``test_bulk_delete_keeps_what_the_delete_screen_keeps``: Wagtail's bulk delete follows the delete screens;
* ``test_every_object_url_is_in_the_matrix``: every URL pattern with an object id must be in the matrix or in
  the commented allow-list of public / province-wide URLs, so a new screen cannot be forgotten.

Wagtail's generic views (chooser, bulk actions, editing sessions) are scoped by the models' permission
policies (catalog/officials/permissions.py).
"""

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.models import Agency, Official
from catalog.officials import roles
from eforms import services as eform_services
from eforms.models import EForm, FormDraft, FormField, FormSection, FormVersion
from feedback import questions as question_services
from feedback import services as feedback_services
from feedback.models import Feedback, FeedbackAttachment, FeedbackEvent, Question, Rating
from portal.demo.loader import load_roles
from tests.factories import AgencyFactory, ProcedureDocumentFactory
from tests.factories.citizens import PDF, citizen, stored_document
from tests.factories.workflow import official
from tests.factories.world import build_unit, hold, in_roles, member
from workflow.dossiers import services
from workflow.dossiers.services import Applicant, Upload
from workflow.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    LateList,
    LateListEntry,
    Process,
    ProcessStep,
    SlipTemplate,
    StepKind,
    StepRun,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

# ASCII markers inside B's data: found whatever the escaping (HTML entities, JSON \u escapes) of the rest.
B_APPLICANT = "Quách Thị Bímật XAPPB7"
B_ID_NUMBER = "079188000777"
B_FILE_BODY = PDF + b"% XFILEB7\n"  # a comment after the end: still a readable PDF


class World:
    """Everything the tests use, built once (ids and codes are stable for the module)."""


def _unit(world, key, code, name):
    unit = build_unit(
        code,
        name,
        procedure={"postal_return": True},
        officials={
            role_key: member(
                group,
                username=f"{role_key}.{key}",
                position=roles.DEFAULT_NAMES[group],
                first_name=f"X{role_key.upper()}{key.upper()}7",
                last_name="Cán bộ",
            )
            for role_key, group in (
                ("officer", roles.RECEPTION_OFFICER),
                ("specialist", roles.SPECIALIST),
                ("leader", roles.LEADER),
                ("admin", roles.UNIT_ADMIN),
            )
        },
    )
    setattr(world, key, unit.agency)
    setattr(world, f"{key}_procedure", unit.procedure)
    setattr(world, f"{key}_process", unit.process)
    setattr(world, f"{key}_steps", unit.steps)
    for role_key, user in unit.officials.items():
        setattr(world, f"{key}_{role_key}", user)
    return unit.agency


def build_world():
    load_roles()
    w = World()
    _unit(w, "a", "000.00.15.H99", "Sở Xây dựng")
    _unit(w, "b", "000.00.16.H99", "Sở Tư pháp")
    w.centre = AgencyFactory(code="000.00.01.H99", name="Trung tâm Phục vụ hành chính công")
    w.supervisor = official(w.centre, username="giamsat", position="Giám sát")
    in_roles(w.supervisor, roles.SUPERVISOR)
    w.editor = official(w.centre, username="bientap", position="Biên tập viên")
    in_roles(w.editor, roles.CONTENT_EDITOR)
    # The police follow the access statistics only; not an official of any unit.
    w.police = User.objects.create_user("congan", password="Mat-khau-2026!", is_staff=True)
    in_roles(w.police, roles.POLICE)
    w.citizen = citizen(full_name="Người Ngoài Cuộc")
    w.b_citizen = citizen(full_name=B_APPLICANT, id_number=B_ID_NUMBER, email="bimat@example.com")

    # --- B: an e-form (published version 1 + draft version 2) ---------------------------------------------
    w.b_eform = eform_services.eform_create(
        actor=w.b_admin, procedure=w.b_procedure, symbol="TK1", title="Tờ khai riêng XFORMB7"
    )
    version = w.b_eform.versions.get()
    section = FormSection.objects.create(version=version, title="Thông tin XSECTB7", sort_order=0)
    FormField.objects.create(
        section=section, code="ho_ten", label="Họ và tên", type="text", required=True, sort_order=0
    )
    FormField.objects.create(section=section, code="noi_dung", label="Nội dung", type="textarea", sort_order=1)
    eform_services.version_publish(actor=w.b_admin, version_id=version.pk)
    w.b_version = version
    w.b_draft_version = eform_services.version_new_draft(actor=w.b_admin, eform_id=w.b_eform.pk)

    # --- B: the applicant's online dossier through the e-form, received by B's officer -------------------
    ProcedureDocumentFactory(procedure=w.b_procedure, name="Giấy tờ kèm theo", mandatory=False)
    draft = eform_services.draft_start(user=w.b_citizen, eform_code=w.b_eform.code, profile=w.b_citizen.citizen_profile)
    w.b_dossier, _created = eform_services.draft_submit(
        user=w.b_citizen,
        draft_id=draft.pk,
        token=draft.submission_token,
        values={"ho_ten": B_APPLICANT, "noi_dung": "Nội dung bí mật XANSWB7"},
        form_files=[("Bản vẽ", ContentFile(B_FILE_BODY, name="ban-ve-XFILENAMEB7.pdf"))],
        agency=w.b,
        applicant=eform_services.applicant_from(w.b_citizen.citizen_profile, w.b_citizen),
    )
    services.dossier_receive_online(actor=w.b_officer, dossier_id=w.b_dossier.pk, at=timezone.now())
    w.b_dossier.refresh_from_db()
    w.b_documents = list(w.b_dossier.documents.order_by("pk"))
    w.b_document = w.b_documents[-1]  # the uploaded drawing
    w.b_form_pdf = w.b_documents[0]  # the filled e-form as PDF
    # An unfinished filling of the same applicant (its UUID is the only key of the wizard's URLs).
    w.b_open_draft = eform_services.draft_start(user=w.b_citizen, eform_code=w.b_eform.code)
    w.b_submitted_draft = FormDraft.objects.get(dossier=w.b_dossier)
    w.b_stored = stored_document(w.b_citizen, title="Căn cước XSTOREB7", content=B_FILE_BODY)
    # A fee B's citizen paid online (its e-receipt is theirs only).
    from workflow.models import Payment, PaymentStatus

    w.b_payment = Payment.objects.create(
        dossier=w.b_dossier,
        agency=w.b,
        provider="demo",
        reference="TTXPAYB7",
        amount=150000,
        status=PaymentStatus.PAID,
        settled_at=timezone.now(),
        receipt_number="2026-000007",
    )

    # --- A: one dossier of its own (lists must show it to A's officials) ----------------------------------
    w.a_dossier = services.dossier_receive_at_counter(
        actor=w.a_officer,
        procedure=w.a_procedure,
        agency=w.a,
        applicant=Applicant(name="Trần Văn An XAPPA7", id_number="001190012345", phone="0912345678"),
        files=[Upload("to-khai.pdf", ContentFile(PDF, name="to-khai.pdf"))],
    )
    w.a_document = w.a_dossier.documents.get()

    # --- B: a draft process with its steps ------------------------------------------------------------------
    w.b_draft_process = Process.objects.create(procedure=w.b_procedure, agency=w.b, name="Quy trình XPROCB7", version=2)
    for index, (name, kind) in enumerate([("Tiếp nhận XSTEPB7", StepKind.RECEPTION), ("Trả kết quả", StepKind.RESULT)]):
        step = ProcessStep.objects.create(
            process=w.b_draft_process, sort_order=index, name=name, kind=kind, allowance_hours=Decimal("4")
        )
        hold(step, w.b_officer)

    # --- B: feedback with an attachment, a citizen question, a rating --------------------------------------
    w.b_feedback = feedback_services.feedback_enter(
        actor=w.b_officer,
        channel="letter",
        sender=feedback_services.Sender("Người Gửi XSENDB7", "gui@example.com"),
        subject="Phản ánh XFBSUBJB7",
        content="Nội dung phản ánh XFBTEXTB7",
        agency=w.b,
        attachments=[feedback_services.Attachment("dinh-kem-XATTB7.pdf", ContentFile(PDF, name="dk.pdf"))],
    )
    w.b_question = question_services.question_submit(
        procedure=w.b_procedure,
        asker_name="Người Hỏi XASKB7",
        asker_email="hoi@example.com",
        question="Câu hỏi XQUESTB7?",
    )
    w.b_rating = Rating.objects.create(
        dossier=w.b_dossier,
        dossier_code=w.b_dossier.code,
        agency=w.b,
        procedure=w.b_procedure,
        overall=1,
        guidance=1,
        attitude=1,
        on_time=1,
        result=1,
        cost=1,
        comment="Không hài lòng XRATEB7",
        source="code",
        created_at=timezone.now(),
    )

    # --- B: late-list rows and a slip template ----------------------------------------------------------------
    w.late_list = LateList.objects.create(month=date(2026, 1, 1), computed_at=timezone.now(), agencies_total=2)
    for agency, name in ((w.a, "Trễ hạn XLATEA7"), (w.b, "Trễ hạn XLATEB7")):
        LateListEntry.objects.create(
            late_list=w.late_list,
            kind="official",
            agency=agency,
            name=name,
            agency_name=agency.name,
            late=2,
            resolved=3,
            share=Decimal("0.5"),
        )
    # the list's published figures and a revision that changes B's row (workflow/reports/snapshots.py)
    from workflow.models import FigureRevision, PublishedFigures
    from workflow.reports import snapshots

    published = snapshots.late_list_payload(w.late_list.entries.all())
    revised = json.loads(json.dumps(published))
    for section in revised["sections"]:
        for row in section["rows"]:
            row["values"]["late"] = 3
    w.late_snapshot = PublishedFigures.objects.create(
        kind="late_list", period="2026-01", payload=published, published_at=timezone.now()
    )
    FigureRevision.objects.create(
        snapshot=w.late_snapshot,
        computed_at=timezone.now(),
        payload=revised,
        changes=snapshots.diff(published, revised),
    )
    w.b_slip_template = SlipTemplate.objects.create(kind="receipt", title="Phiếu riêng XSLIPB7", agency=w.b)

    w.secrets = [
        w.b_dossier.code,
        "XAPPB7",
        B_APPLICANT,
        B_ID_NUMBER,
        "XFILEB7",
        "XFILENAMEB7",
        "XANSWB7",
        "XFORMB7",
        "XSECTB7",
        "XPROCB7",
        "XSTEPB7",
        "XSENDB7",
        "XFBSUBJB7",
        "XFBTEXTB7",
        "XATTB7",
        "XASKB7",
        "XQUESTB7",
        "XRATEB7",
        "XLATEB7",
        "XSLIPB7",
        "XSTOREB7",
        w.b_feedback.tracking_code,
        "XOFFICERB7",
        "XSPECIALISTB7",
        "XLEADERB7",
        "XADMINB7",
    ]
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once in a transaction rolled back after the module; each test runs in a savepoint."""
    root = tmp_path_factory.mktemp("cross_unit")
    storages = _storages(root)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(root / "media"), STORAGES=storages):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build_world()
            w.root = root
            w.superuser = User.objects.create_superuser("quantri.hethong", password="Mat-khau-2026!")
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _storages(root):
    from django.conf import settings

    return {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "private"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _media_dirs(settings, world):
    """Overrides tests/conftest.py's per-test directories: the world's files live in the module's directory."""
    settings.MEDIA_ROOT = str(world.root / "media")
    settings.STORAGES = _storages(world.root)


# --- the matrix: every URL that names one of B's objects ---------------------------------------------------

API_ACTIONS = [
    "receive",
    "guide",
    "refuse-reception",
    "forward",
    "return-previous",
    "handover",
    "request-supplement",
    "resubmit",
    "request-payment",
    "confirm-payment",
    "apologize",
    "stop",
    "withdraw",
    "record-result",
    "return-result",
]
SLIP_KINDS = ["receipt", "guidance", "supplement", "refusal", "apology", "withdrawal"]
FEEDBACK_ACTIONS = ["classify", "assign", "forward", "start", "update", "answer", "publish", "reject"]
PROCESS = "wagtailsnippets_workflow_process"
EFORM = "wagtailsnippets_eforms_eform"
SLIP = "wagtailsnippets_workflow_sliptemplate"


def _r(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def _pk(attr):
    return lambda w: getattr(w, attr).pk


class Case:
    """One URL naming a B object: ``owner`` is the role that does reach it (the positive control)."""

    def __init__(
        self, name, url, method="get", data=None, owner="b_officer", as_json=False, owner_status=(200,), allow=()
    ):
        self.name, self.url, self.method, self.data, self.allow = name, url, method, data, allow
        self.owner, self.as_json, self.owner_status = owner, as_json, owner_status

    def request(self, client, w):
        path = self.url(w)
        data = self.data(w) if callable(self.data) else (self.data or {})
        if self.method == "get":
            return client.get(path, data)
        if self.as_json:
            return client.post(path, json.dumps(data), content_type="application/json")
        return client.post(path, data)


def _chosen_multiple(model, attr):
    return lambda w: reverse(f"wagtailsnippetchoosers_{model}:chosen_multiple") + f"?id={getattr(w, attr).pk}"


#: B's object of each unit-owned snippet model, for Wagtail's bulk delete.
BULK = [
    ("workflow.process", "b_draft_process"),
    ("eforms.eform", "b_eform"),
    ("workflow.sliptemplate", "b_slip_template"),
]


def _bulk_delete(model, attr):
    return lambda w: reverse("wagtail_bulk_action", args=[*model.split("."), "delete"]) + f"?id={getattr(w, attr).pk}"


#: "chosen-multiple" answers the objects found among the ids (an empty list for ids out of scope): a 200 is
#: allowed, B's titles are not.
CHOSEN_MULTIPLE = {"allow": (200,)}


def _dossier_payload(w):
    d = w.b_dossier
    return {
        "revision": d.revision,
        "to_step": w.b_steps[1].pk,
        "comment": "Chuyển tiếp",
        "reason": "Lý do",
        "amount": 100000,
        "generate_slip": True,
        "colleague": w.b_specialist.pk,
        "signer": "Ông A",
        "new_appointment": (timezone.now() + timedelta(days=3)).isoformat(),
        "method": "counter",
    }


def _admin_action_payload(action):
    def payload(w):
        prefix = action.replace("-", "_")
        return {f"{prefix}-{key}": value for key, value in _dossier_payload(w).items()} | {
            f"{prefix}-slip_source": "generate"
        }

    return payload


CASES = [
    # officials' dossier screens (workflow/dossiers/admin_views.py) and slips (workflow/slips/views.py)
    Case("admin dossier detail", _r("dossiers:detail", _pk("b_dossier"))),
    Case("admin dossier document (upload)", _r("dossiers:document", _pk("b_dossier"), _pk("b_document"))),
    Case("admin dossier document (e-form PDF)", _r("dossiers:document", _pk("b_dossier"), _pk("b_form_pdf"))),
    *[
        Case(
            f"admin dossier action {a}",
            _r("dossiers:action", _pk("b_dossier"), a),
            "post",
            _admin_action_payload(a),
            owner=None,
        )
        for a in API_ACTIONS
    ],
    # bulk screens answer per item (a redirect back with "not one of the available choices" / a 400): allowed,
    # as long as nothing of B is named and nothing changes
    Case(
        "admin bulk action",
        _r("dossiers:bulk"),
        "post",
        lambda w: {"action": "forward", "dossiers": [f"{w.b_dossier.pk}:{w.b_dossier.revision}"], "comment": "x"},
        owner=None,
        allow=(302,),
    ),
    *[
        Case(
            f"slip {kind}.pdf",
            lambda w, k=kind: reverse(
                "workflow_slips:download", kwargs={"pk": w.b_dossier.pk, "kind": k, "fmt": "pdf"}
            ),
        )
        for kind in SLIP_KINDS
    ],
    Case(
        "slip receipt.doc",
        lambda w: reverse("workflow_slips:download", kwargs={"pk": w.b_dossier.pk, "kind": "receipt", "fmt": "doc"}),
    ),
    # the dossier API (workflow/dossiers/api/views.py)
    Case("API dossier detail", _r("workflow_api:dossier-detail", _pk("b_dossier"))),
    Case("API dossier document", _r("workflow_api:dossier-document", _pk("b_dossier"), _pk("b_document"))),
    *[
        Case(
            f"API action {a}",
            _r(f"workflow_api:dossier-{a}", _pk("b_dossier")),
            "post",
            _dossier_payload,
            owner=None,
            as_json=True,
        )
        for a in API_ACTIONS
    ],
    Case(
        "API bulk",
        _r("workflow_api:dossier-bulk"),
        "post",
        lambda w: {"action": "forward", "dossiers": [{"id": w.b_dossier.pk, "revision": w.b_dossier.revision}]},
        owner=None,
        as_json=True,
        allow=(200,),  # answered per item: B's dossier is "not found", by id only
    ),
    # process designer (workflow/processes/admin_views.py)
    *[
        Case(f"process {view}", _r(f"{PROCESS}:{view}", _pk("b_draft_process")), owner="b_admin")
        for view in ("edit", "usage", "history", "history_results", "inspect")
    ],
    # the demo's unit admin has no delete_process permission
    Case("process delete", _r(f"{PROCESS}:delete", _pk("b_draft_process")), owner="superuser"),
    Case(
        "process edit POST",
        _r(f"{PROCESS}:edit", _pk("b_draft_process")),
        "post",
        lambda w: {"name": "Đổi tên", "procedure": w.b_procedure.pk, "agency": w.b.pk},
        owner=None,
    ),
    Case("process delete POST", _r(f"{PROCESS}:delete", _pk("b_draft_process")), "post", owner=None),
    Case("process publish POST", _r(f"{PROCESS}:publish", _pk("b_draft_process")), "post", owner=None),
    Case("process new version POST", _r(f"{PROCESS}:new_version", _pk("b_process")), "post", owner=None),
    # B's default process copied for A: A does not implement B's procedure, so it does not even see it
    Case(
        "process copy for unit POST",
        _r(f"{PROCESS}:copy_for_unit", _pk("b_process")),
        "post",
        lambda w: {"agency": w.a.pk},
        owner=None,
    ),
    Case(
        "process chooser chosen",
        _r("wagtailsnippetchoosers_workflow_process:chosen", _pk("b_draft_process")),
        owner="b_admin",
    ),
    Case(
        "process chooser chosen-multiple",
        _chosen_multiple("workflow_process", "b_draft_process"),
        owner="b_admin",
        **CHOSEN_MULTIPLE,
    ),
    # e-form builder (eforms/admin_views.py)
    *[
        Case(f"e-form {view}", _r(f"{EFORM}:{view}", _pk("b_eform")), owner="b_admin")
        for view in ("edit", "usage", "history", "history_results", "inspect")
    ],
    # a published form cannot be deleted: its owner is sent to the form's page
    Case("e-form delete", _r(f"{EFORM}:delete", _pk("b_eform")), owner="b_admin", owner_status=(302,)),
    Case(
        "e-form edit POST",
        _r(f"{EFORM}:edit", _pk("b_eform")),
        "post",
        lambda w: {"title": "Đổi tên", "requires_signature": "on"},
        owner=None,
    ),
    Case("e-form delete POST", _r(f"{EFORM}:delete", _pk("b_eform")), "post", owner=None),
    Case("e-form chooser chosen", _r("wagtailsnippetchoosers_eforms_eform:chosen", _pk("b_eform")), owner="b_admin"),
    Case(
        "e-form chooser chosen-multiple",
        _chosen_multiple("eforms_eform", "b_eform"),
        owner="b_admin",
        **CHOSEN_MULTIPLE,
    ),
    *[
        Case(f"e-form version {view}", _r(f"eform_versions:{view}", _pk("b_draft_version")), owner="b_admin")
        for view in ("edit", "delete", "history", "history_results", "usage", "preview")
    ],
    Case(
        "e-form version edit POST",
        _r("eform_versions:edit", _pk("b_draft_version")),
        "post",
        lambda w: {
            "note": "Đổi",
            "sections-TOTAL_FORMS": "0",
            "sections-INITIAL_FORMS": "0",
            "sections-MIN_NUM_FORMS": "0",
            "sections-MAX_NUM_FORMS": "1000",
        },
        owner=None,
    ),
    Case("e-form version delete POST", _r("eform_versions:delete", _pk("b_draft_version")), "post", owner=None),
    Case("e-form version export", _r("eform_versions:export", _pk("b_version")), owner="b_admin"),
    Case("e-form version document (copy source)", _r("eform_versions:document", _pk("b_version")), owner="b_admin"),
    Case(
        "e-form version live preview POST",
        _r("eform_versions:live_preview", _pk("b_draft_version")),
        "post",
        {"format": "tthc-eform", "schema": 1, "sections": []},
        owner="b_admin",
        as_json=True,
    ),
    Case("e-form import POST", _r("eform_versions:import", _pk("b_eform")), "post", owner=None),
    Case("e-form version publish POST", _r("eform_versions:publish", _pk("b_draft_version")), "post", owner=None),
    Case("e-form version new draft POST", _r("eform_versions:new_draft", _pk("b_version")), "post", owner=None),
    Case(
        "e-form version preview POST",
        _r("eform_versions:preview", _pk("b_version")),
        "post",
        {"ho_ten": "x"},
        owner=None,
    ),
    # slip templates (workflow/slips/admin.py); the unit admin has no slip-template permission in the demo roles
    *[
        Case(f"slip template {view}", _r(f"{SLIP}:{view}", _pk("b_slip_template")), owner="superuser")
        for view in ("edit", "delete", "usage", "history", "history_results", "copy", "inspect")
    ],
    Case("slip template preview", _r(f"{SLIP}:preview_on_edit", _pk("b_slip_template")), owner="superuser"),
    Case(
        "slip template edit POST",
        _r(f"{SLIP}:edit", _pk("b_slip_template")),
        "post",
        lambda w: {"kind": "receipt", "title": "Đổi", "agency": w.a.pk, "body": "", "is_active": "on"},
        owner=None,
    ),
    Case("slip template delete POST", _r(f"{SLIP}:delete", _pk("b_slip_template")), "post", owner=None),
    Case(
        "slip template chooser chosen",
        _r("wagtailsnippetchoosers_workflow_sliptemplate:chosen", _pk("b_slip_template")),
        owner="superuser",
    ),
    Case(
        "slip template chooser chosen-multiple",
        _chosen_multiple("workflow_sliptemplate", "b_slip_template"),
        owner="superuser",
        **CHOSEN_MULTIPLE,
    ),
    # Wagtail's generic admin endpoints that take an object id
    *[Case(f"bulk delete {model}", _bulk_delete(model, attr), owner="superuser") for model, attr in BULK],
    # a refused bulk delete redirects back to the listing (the user's own objects only: nothing to delete)
    *[
        Case(f"bulk delete {model} POST", _bulk_delete(model, attr), "post", owner=None, allow=(302,))
        for model, attr in BULK
    ],
    # Wagtail's editing session of B's process (asks the model's permission policy: catalog/officials/permissions.py)
    Case(
        "editing session ping",
        lambda w: reverse("wagtailadmin_editing_sessions:ping", args=["workflow", "process", w.b_draft_process.pk, 0]),
        "post",
        owner="b_admin",
    ),
    # feedback and questions (feedback/admin_views.py)
    Case("feedback detail", _r("feedback_admin:detail", _pk("b_feedback"))),
    *[
        Case(
            f"feedback action {a}",
            _r("feedback_admin:action", _pk("b_feedback"), a),
            "post",
            lambda w, a=a: {
                "revision": w.b_feedback.revision,
                f"{a}-text": "Trả lời",
                f"{a}-agency": w.a.pk,
                f"{a}-comment": "x",
                f"{a}-public_subject": "x",
                f"{a}-public_content": "x",
                f"{a}-answer": "x",
            },
            owner=None,
        )
        for a in FEEDBACK_ACTIONS
    ],
    Case("question detail", _r("feedback_admin:question", _pk("b_question"))),
    *[
        Case(
            f"question {a} POST",
            _r("feedback_admin:question", _pk("b_question")),
            "post",
            {"action": a, "answer": "Trả lời", "question": "Câu hỏi"},
            owner=None,
        )
        for a in ("answer", "publish", "private")
    ],
    # the applicant's own pages (portal/accounts, eforms): another account gets nothing
    Case("citizen dossier", _r("citizen:dossier", _pk("b_dossier")), owner="b_citizen"),
    Case(
        "citizen dossier document",
        _r("citizen:dossier_document", _pk("b_dossier"), _pk("b_document")),
        owner="b_citizen",
    ),
    Case("citizen receipt", _r("citizen:dossier_receipt", _pk("b_dossier")), owner="b_citizen"),
    Case(
        "citizen payment e-receipt",
        _r("citizen:dossier_payment_receipt", _pk("b_dossier"), _pk("b_payment")),
        owner="b_citizen",
    ),
    Case("pay a dossier's fees POST", _r("payments:start", _pk("b_dossier")), "post", {"provider": "demo"}, owner=None),
    Case(
        "citizen supplement",
        _r("citizen:dossier_supplement", _pk("b_dossier")),
        owner="b_citizen",
        owner_status=(200, 302),
    ),
    Case("citizen supplement POST", _r("citizen:dossier_supplement", _pk("b_dossier")), "post", owner=None),
    Case(
        "citizen withdraw POST",
        _r("citizen:dossier_withdraw", _pk("b_dossier")),
        "post",
        {"reason": "Rút", "confirm": "on"},
        owner=None,
    ),
    Case("citizen store download", _r("citizen:store_download", _pk("b_stored")), owner="b_citizen"),
    Case("citizen store delete POST", _r("citizen:store_delete", _pk("b_stored")), "post", owner=None),
    Case("e-form wizard", _r("eforms:wizard", _pk("b_open_draft")), owner="b_citizen"),
    Case("e-form draft delete POST", _r("eforms:draft_delete", _pk("b_open_draft")), "post", owner=None),
    Case("e-form acknowledgement", _r("eforms:acknowledgement", _pk("b_submitted_draft")), owner="b_citizen"),
    # account management (catalog/officials/views.py): another unit's official
    Case("official detail", lambda w: f"/admin/officials/{w.b_officer.pk}/", owner="b_admin"),
    Case(
        "official revoke POST",
        lambda w: f"/admin/officials/{w.b_officer.pk}/revoke/",
        "post",
        {"confirm": "on", "reason": "x"},
        owner=None,
    ),
    Case(
        "official second factor reset POST",
        lambda w: f"/admin/officials/{w.b_officer.pk}/reset-second-factor/",
        "post",
        owner=None,
    ),
    Case(
        "rate my dossier",
        lambda w: reverse("feedback:rate_mine", args=[w.b_dossier.code]),
        owner="b_citizen",
        owner_status=(200, 302),
    ),
]
CASES_BY_NAME = {case.name: case for case in CASES}
assert len(CASES_BY_NAME) == len(CASES)

#: Who tries B's objects: unit A's four roles, the police, the content editor, another citizen, anonymous.
OUTSIDERS = ["a_officer", "a_specialist", "a_leader", "a_admin", "police", "editor", "citizen", "anonymous"]

#: Where a refusal may send the browser: a sign-in page (anonymous, or a citizen in the admin), the OTP step, or
#: the admin dashboard (Wagtail's answer to a permission error: a redirect with an error message).
REFUSAL_REDIRECTS = re.compile(r"^(/admin/login/|/admin/otp/|/admin/$|/tai-khoan/dang-nhap/|/_util/login/)")

#: The tables whose rows a refused POST must leave alone (the access log and sessions are not business data).
SNAPSHOT_MODELS = [
    Dossier,
    DossierDocument,
    DossierEvent,
    StepRun,
    Process,
    ProcessStep,
    EForm,
    FormVersion,
    FormSection,
    FormField,
    FormDraft,
    Feedback,
    FeedbackEvent,
    FeedbackAttachment,
    Question,
    Rating,
    SlipTemplate,
    LateList,
    LateListEntry,
    Official,
    Agency,
]


def snapshot():
    from wagtail.admin.models import EditingSession

    from portal.citizens.models import StoredDocument

    state = {
        m._meta.label: list(m.objects.order_by("pk").values())
        for m in [*SNAPSHOT_MODELS, StoredDocument, EditingSession]
    }
    state["users"] = list(User.objects.order_by("pk").values("pk", "is_active", "is_staff", "username"))
    state["groups"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    state["authenticators"] = sorted(TOTPDevice.objects.values_list("pk", "user_id", "confirmed"))
    return state


def body_text(response) -> str:
    """The whole answer as text (streamed files included; JSON re-dumped so \\u escapes become letters)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    text = raw.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            text += json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    location = response.get("Location", "").split("?next=")[0]  # ?next= only repeats the URL the user typed
    return text + " " + location + " " + response.get("Content-Disposition", "")


def leaked(w, response):
    text = body_text(response)
    return [secret for secret in w.secrets if secret in text]


def refusal_problems(w, response, what, allow=()):
    """Why ``response`` is not a clean refusal (empty list when it is)."""
    status = response.status_code
    location = response.get("Location", "")
    problems = []
    refused = status in (401, 403, 404) or (status == 302 and REFUSAL_REDIRECTS.match(location))
    if not refused and status not in allow:
        problems.append(f"{what}: answered {status} {location}")
    if leaked(w, response):
        problems.append(f"{what}: B's data in the answer: {leaked(w, response)}")
    return problems


#: Every role's client, signed in once for the module (officials with their second factor passed).
ROLES = [*OUTSIDERS, "b_officer", "b_admin", "b_citizen", "supervisor", "superuser"]


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One client per role, signed in once: the sessions live in the module's transaction, so every test (in its
    own savepoint) reuses them."""
    from tests.factories.auth import mark_otp_verified

    made = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                user = getattr(world, role)
                client.force_login(user)
                if user.is_staff or user.is_superuser:
                    mark_otp_verified(client, user)
            made[role] = client
    return made


def as_role(clients, role):
    """The role's client, without messages left over from an earlier request (they could name another case)."""
    client = clients[role]
    client.cookies.pop("messages", None)
    return client


def attempt(client, w, case, before=None):
    """Send ``case`` in a savepoint rolled back afterwards (so one role's attempt cannot spoil the next one's);
    returns the response and, for a POST, whether it changed the data (against ``before``, taken once per case:
    every attempt starts from the same state)."""
    if case.method == "post" and before is None:
        before = snapshot()
    with transaction.atomic():
        response = case.request(client, w)
        changed = case.method == "post" and snapshot() != before
        transaction.set_rollback(True)
    return response, changed


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_outsider_is_refused(world, clients, case):
    """Each outsider role in turn; every failure is listed (role, method, URL, why)."""
    problems = []
    before = snapshot() if case.method == "post" else None
    for role in OUTSIDERS:
        response, changed = attempt(as_role(clients, role), world, case, before)
        what = f"{role} {case.method.upper()} {case.url(world)}"
        problems += refusal_problems(world, response, what, case.allow)
        if changed:
            problems.append(f"{what}: changed the data")
    assert not problems, "\n".join(problems)


OWNED = [c for c in CASES if c.owner]


def test_owner_reaches_it(world, clients):
    """The positive control: the same URLs open for B's own user, so the refusals above are not vacuous."""
    problems = []
    for case in OWNED:
        response, _changed = attempt(as_role(clients, case.owner), world, case)
        if response.status_code not in case.owner_status:
            problems.append(
                f"{case.owner} {case.method.upper()} {case.url(world)}: answered "
                f"{response.status_code} {response.get('Location', '')}"
            )
    assert not problems, "\n".join(problems)


# --- lists, searches, reports and exports ------------------------------------------------------------------

LISTS = [
    "/admin/dossiers/mine/",
    "/admin/dossiers/unit/",
    "/admin/dossiers/reception/",
    "/admin/dossiers/all/",
    "/admin/dossiers/all/results/?q={code}",
    "/admin/dossiers/all/?q=XAPPB7",
    "/api/v1/dossiers/?q={code}",
    "/api/v1/dossiers/",
    "/admin/reports/?agency={b}",
    "/admin/reports/?group_by=agency",
    "/admin/reports/dossiers/?figure=received",
    "/admin/reports/backlog/?level=ok",
    "/admin/reports/export/?group_by=agency",
    "/admin/reports/index-766/",
    "/admin/reports/late-lists/?month=2026-01",
    "/api/v1/reports/figures/?agency={b}",
    "/api/v1/reports/backlog/",
    "/api/v1/reports/late-lists/2026-01/",
    "/api/v1/reports/published/late_list/2026-01/",
    "/admin/feedback/?q={feedback}",
    "/admin/feedback/",
    "/admin/feedback/ratings/",
    "/admin/feedback/questions/",
    "/admin/snippets/workflow/process/?q=XPROCB7",
    "/admin/snippets/eforms/eform/",
    "/admin/snippets/workflow/sliptemplate/",
    "/tai-khoan/ho-so/",
    "/nop-truc-tuyen/",
    "/tai-khoan/kho-du-lieu/",
    # Wagtail's snippet choosers (catalog/officials/permissions.py): the user's scope only
    "/admin/snippets/choose/workflow/process/",
    "/admin/snippets/choose/workflow/process/results/?q=XPROCB7",
    "/admin/snippets/choose/eforms/eform/",
    "/admin/snippets/choose/eforms/eform/results/?q=XFORMB7",
    "/admin/snippets/choose/workflow/sliptemplate/",
    # "select all" of a listing's bulk delete: the confirmation names the user's own objects only
    "/admin/bulk/workflow/process/delete/?id=all",
    "/admin/bulk/eforms/eform/delete/?id=all",
    "/admin/bulk/workflow/sliptemplate/delete/?id=all",
    # the e-form versions index and its e-form filter (eforms/wagtail_hooks.py)
    "/admin/eforms/versions/",
    "/admin/eforms/versions/?eform={eform}",
    # the officials' accounts (catalog/officials/views.py): a unit admin lists their own unit's officials only
    "/admin/officials/",
    "/admin/officials/?q=XOFFICERB7",
]


def _list_text(response):
    text = body_text(response)
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    return text


@pytest.mark.parametrize("path", LISTS)
def test_outsider_lists_hold_nothing_of_b(world, clients, path):
    url = path.format(
        code=world.b_dossier.code, b=world.b.pk, feedback=world.b_feedback.tracking_code, eform=world.b_eform.pk
    )
    typed = [s for s in world.secrets if s in url]  # a search box echoes what was typed: not a leak
    problems = []
    for role in OUTSIDERS:
        response = as_role(clients, role).get(url)
        text = _list_text(response)
        found = [s for s in world.secrets if s in text and s not in typed]
        if response.get("Content-Type", "").startswith("application/vnd.openxmlformats") and world.b.name in text:
            found.append(world.b.name)
        if found:
            problems.append(f"{role} GET {url}: B's data listed: {found}")
        if (
            typed
            and response.status_code == 200
            and "html" in response.get("Content-Type", "")
            and text.count(typed[0]) > 2
        ):
            problems.append(f"{role} GET {url}: the searched term is listed, not only echoed")
    assert not problems, "\n".join(problems)


#: (role, URL, what the page must list): the positive side of the list checks, so they are not vacuous.
OWN_LISTS = [
    *[
        (role, url, lambda w: w.a_dossier.code)
        for role in ("a_officer", "a_specialist", "a_leader", "a_admin")
        for url in ("/admin/dossiers/all/", "/api/v1/dossiers/?q={a_dossier}")
    ],
    ("a_admin", "/admin/snippets/choose/workflow/process/", lambda w: w.a_process.name),
    ("b_admin", "/admin/snippets/choose/workflow/process/", lambda w: "XPROCB7"),
    ("b_admin", "/admin/snippets/choose/eforms/eform/", lambda w: "XFORMB7"),
    ("superuser", "/admin/snippets/choose/workflow/sliptemplate/", lambda w: "XSLIPB7"),
    ("b_admin", "/admin/snippets/choose/workflow/process/chosen-multiple/?id={b_draft_process}", lambda w: "XPROCB7"),
    ("superuser", "/admin/bulk/workflow/process/delete/?id={b_draft_process}", lambda w: "XPROCB7"),
    ("b_admin", "/admin/eforms/versions/", lambda w: "XFORMB7"),
    ("a_admin", "/admin/officials/", lambda w: "XOFFICERA7"),
    ("b_admin", "/admin/officials/", lambda w: "XOFFICERB7"),
]


def test_own_lists_show_the_own_objects(world, clients):
    problems = []
    for role, path, expected in OWN_LISTS:
        url = path.format(a_dossier=world.a_dossier.code, b_draft_process=world.b_draft_process.pk)
        response = as_role(clients, role).get(url)
        if response.status_code != 200 or expected(world) not in body_text(response):
            problems.append(f"{role} GET {url}: {response.status_code}, {expected(world)!r} not listed")
    assert not problems, "\n".join(problems)


# --- the access log of personal data (catalog/access_log/views.py) ---------------------------------------------

#: Who opens the log's screens (BN 7.4): supervisors the list and the statistics, the police the statistics only.
ACCESS_LOG = {
    "/admin/access-log/": {"supervisor", "superuser"},
    "/admin/access-log/results/": {"supervisor", "superuser"},
    "/admin/access-log/statistics/": {"supervisor", "superuser", "police"},
}


def test_access_log_screens(world, clients):
    problems = []
    for url, allowed in ACCESS_LOG.items():
        for role in [*OUTSIDERS, "b_officer", "b_admin", "supervisor", "superuser"]:
            response = as_role(clients, role).get(url)
            if role in allowed and response.status_code != 200:
                problems.append(f"{role} GET {url}: answered {response.status_code}, expected the page")
            elif role not in allowed:
                problems += refusal_problems(world, response, f"{role} GET {url}")
    assert not problems, "\n".join(problems)


# --- the supervisor reads every unit, acts on none ---------------------------------------------------------

SUPERVISOR_READS = ["admin dossier detail", "admin dossier document (upload)", "API dossier detail", "slip receipt.pdf"]
SUPERVISOR_ACTIONS = [
    c
    for c in CASES
    if c.method == "post"
    and (
        c.name.startswith("admin dossier action")
        or c.name.startswith("API action")
        or "bulk action" in c.name
        or c.name == "API bulk"
    )
]


def test_supervisor_reads_b(world, clients):
    statuses = {
        name: attempt(as_role(clients, "supervisor"), world, CASES_BY_NAME[name])[0].status_code
        for name in SUPERVISOR_READS
    }
    assert statuses == dict.fromkeys(SUPERVISOR_READS, 200)


def test_supervisor_actions_on_b_are_refused(world, clients):
    problems = []
    before = snapshot()
    for case in SUPERVISOR_ACTIONS:
        response, changed = attempt(as_role(clients, "supervisor"), world, case, before)
        if case.name == "API bulk" and response.status_code == 200 and response.json()["done"] == []:
            continue  # answered per item: refused in "failed", nothing done
        if response.status_code not in (302, 400, 403, 404) or changed:
            problems.append(f"supervisor POST {case.url(world)}: {response.status_code}, changed: {changed}")
    assert not problems, "\n".join(problems)


def test_the_supervisor_payload_works_for_bs_holder(world, clients):
    """The refusals above are not just bad input: B's officer forwards with the same API payload."""
    response = CASES_BY_NAME["API action forward"].request(as_role(clients, "b_officer"), world)
    assert response.status_code == 200, response.content
    assert Dossier.objects.get(pk=world.b_dossier.pk).current_step_id == world.b_steps[1].pk


def test_bulk_delete_keeps_what_the_delete_screen_keeps(world, clients):
    """Even the system admin's bulk delete keeps a published e-form and a published process (dossiers may use
    them), as their delete screens do, and deletes a draft process."""
    client = as_role(clients, "superuser")
    for model, obj in (("eforms/eform", world.b_eform), ("workflow/process", world.b_process)):
        response = client.post(f"/admin/bulk/{model}/delete/?id={obj.pk}")
        assert response.status_code in (200, 302), (model, response.status_code)
        assert type(obj).objects.filter(pk=obj.pk).exists(), model
    response = client.post(f"/admin/bulk/workflow/process/delete/?id={world.b_draft_process.pk}")
    assert response.status_code == 302
    assert not Process.objects.filter(pk=world.b_draft_process.pk).exists()


# --- coverage: every URL pattern with an object id is in the matrix or explicitly public --------------------

#: URL patterns with an id that are NOT per-unit data (each with the reason). Anything else with an id must be in
#: CASES, so a new screen cannot be forgotten.
ALLOWED_PUBLIC = [
    ("admin/api/main/", "Wagtail admin API for pages, documents, images: the public site's content"),
    ("admin/choose-page/", "page chooser: public site pages"),
    ("admin/editing-sessions/release/", "releases the caller's own editing session"),
    ("admin/password_reset/confirm/", "password reset token"),
    ("thanh-toan/ket-qua/", "the payer's return from a provider: its signed message is the authority"),
    ("thanh-toan/thong-bao/", "a provider's server notification: its signature is the authentication"),
    ("thanh-toan/thu-nghiem/", "the demo provider's sandbox (PAYMENT_PROVIDERS=demo only), by a random reference"),
    ("admin/forms/submissions/", "Wagtail form pages of the public site (not unit data)"),
    ("admin/catalog-import/", "the province catalog import (content editor), token of the own upload"),
    ("admin/settings/", "site-wide settings"),
    ("admin/tag-autocomplete/", "tag names (no unit data)"),
    ("admin/bulk/", "covered per model by the 'bulk delete' cases"),
    ("admin/pages/", "public site pages"),
    ("admin/images/", "public images"),
    ("admin/documents/", "public documents (procedure templates)"),
    ("documents/", "public documents"),
    ("admin/users/", "system admin only (Wagtail users)"),
    ("admin/groups/", "system admin only"),
    ("admin/sites/", "system admin only"),
    ("admin/locales/", "system admin only"),
    ("admin/redirects/", "system admin only"),
    ("admin/workflows/", "Wagtail page moderation workflows"),
    ("admin/collections/", "document/image collections"),
    ("admin/searchpicks/", "site search promotions"),
    ("admin/reports/", "Wagtail page reports"),
    ("admin/snippets/catalog/", "the public procedure catalog"),
    ("admin/snippets/choose/catalog/", "the public procedure catalog"),
    ("admin/snippets/portal/", "document types (province-wide list)"),
    ("admin/snippets/choose/portal/", "document types (province-wide list)"),
    ("admin/snippets/feedback/feedbackcategory/", "feedback categories (province-wide)"),
    ("admin/snippets/choose/feedback/feedbackcategory/", "feedback categories (province-wide)"),
    ("admin/snippets/workflow/workingschedule/", "the province's working calendar (not per unit)"),
    ("admin/snippets/workflow/extradayoff/", "the province's working calendar (not per unit)"),
    ("admin/snippets/workflow/swappedworkingday/", "the province's working calendar (not per unit)"),
    ("admin/snippets/choose/workflow/workingschedule/", "working calendar"),
    ("admin/snippets/choose/workflow/extradayoff/", "working calendar"),
    ("admin/snippets/choose/workflow/swappedworkingday/", "working calendar"),
    ("admin/snippets/workflow/process/copy/", "not enabled for processes"),
    ("admin/snippets/workflow/sliptemplate/preview/", "covered by 'slip template preview' (preview_on_edit)"),
    ("api/v1/procedures/", "public catalog API"),
    ("api/v1/agencies/", "public catalog API"),
    ("api/v1/sectors/", "public catalog API"),
    ("api/v1/faq/", "public catalog API"),
    ("api/v1/lookup/", "public status lookup by dossier code (AG 12): the code is the key, by law"),
    ("api/v1/feedback/", "public feedback lookup by its secret tracking code"),
    ("api/v1/reports/late-lists/", "the published monthly late list (public by law)"),
    ("cong-khai/tre-han/", "the published monthly late list (public by law)"),
    ("cong-khai/thang/", "a closed month of the public transparency page (public figures)"),
    ("api/v1/reports/published/", "published figures: other units' rows left out (in LISTS)"),
    ("nop-truc-tuyen/bieu-mau/", "start filling a published e-form (public)"),
    ("_util/authenticate_with_password/", "Wagtail page privacy"),
    ("documents/authenticate_with_password/", "Wagtail document privacy"),
    ("admin/editing-sessions/ping/", "in CASES for processes (e-forms and slip templates: the same policy)"),
]


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield (prefix + str(p.pattern)).replace("^", "").replace("$", "")


def _has_id(route):
    return bool(re.search(r"<(int|str|uuid|slug|path):|<pk>|\(\?P<|\(\\d", route))


def test_every_object_url_is_in_the_matrix(world):
    covered = {resolve(case.url(world).split("?")[0]).route.replace("^", "").replace("$", "") for case in CASES}
    missing = [
        route
        for route in _routes(get_resolver().url_patterns)
        if _has_id(route)
        and route not in covered
        and not any(route.startswith(prefix) for prefix, _why in ALLOWED_PUBLIC)
    ]
    assert not missing, f"URLs with an object id that the cross-unit matrix does not try: {missing}"
