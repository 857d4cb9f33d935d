"""Demo processes, officials' units and a handful of dossiers in every state."""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from catalog.models import Agency, Official, Procedure
from catalog.officials import roles
from portal.demo.files import demo_pdf
from workflow.dossiers import services
from workflow.dossiers.services import Applicant, Upload
from workflow.models import DocumentKind, Dossier, ProcessStatus, StepKind
from workflow.processes.services import StepSpec, process_build
from workflow.worktime import DAY_MINUTES


def _hours(minutes):
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def load_officials(staff):
    User = get_user_model()
    for username, _full_name, role_code, agency_code, _superuser in staff:
        if agency_code:
            user = User.objects.get(username=username)
            position = roles.DEFAULT_NAMES.get(role_code, "")
            Official.objects.get_or_create(
                user=user, defaults={"agency": Agency.objects.get(code=agency_code), "position": position}
            )


def load_processes():
    """A published default process per procedure whose allowances add up to its processing time."""
    for procedure in Procedure.objects.filter(processes__isnull=True):
        total = procedure.processing_minutes
        if total <= DAY_MINUTES:  # on-the-spot procedures: receive, resolve, return (QT 22.2c)
            steps = [
                ("Tiếp nhận hồ sơ", StepKind.RECEPTION, roles.RECEPTION_OFFICER, total // 8),
                ("Giải quyết hồ sơ", StepKind.APPROVAL, roles.LEADER, total - 2 * (total // 8)),
                ("Trả kết quả", StepKind.RESULT, roles.RECEPTION_OFFICER, total // 8),
            ]
        else:
            edge = min(240, total // 10)
            steps = [
                ("Tiếp nhận hồ sơ", StepKind.RECEPTION, roles.RECEPTION_OFFICER, edge),
                ("Thẩm định hồ sơ", StepKind.PROCESSING, roles.SPECIALIST, total - 3 * edge),
                ("Lãnh đạo phê duyệt", StepKind.APPROVAL, roles.LEADER, edge),
                ("Trả kết quả", StepKind.RESULT, roles.RECEPTION_OFFICER, edge),
            ]
        process_build(  # through the designer's rules, like a process built on screen
            procedure=procedure,
            name=f"Quy trình nội bộ {procedure.national_code}",
            status=ProcessStatus.PUBLISHED,
            is_short=len(steps) == 3,
            # Each step names the group that holds it (DESIGN §5.3): any official of that group in the unit.
            steps=[StepSpec(name, kind, _hours(minutes), holder_role=role) for name, kind, role, minutes in steps],
        )


def load_dossiers():
    """A few dossiers of Sở Xây dựng in different states, created through the real services."""
    agency = Agency.objects.get(code="000.00.15.H99")
    if Dossier.objects.filter(agency=agency).exists():
        return
    User = get_user_model()
    officer, specialist, leader = (
        User.objects.get(username=u) for u in ("motcua.sxd", "chuyenvien.sxd", "lanhdao.sxd")
    )
    procedures = list(Procedure.objects.filter(agencies=agency).order_by("national_code")[:4])
    people = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Vũ Minh Đức", "Đặng Thu Hà"]
    now = timezone.now()

    def scan(name):
        return [Upload(f"{name}.pdf", ContentFile(demo_pdf(name), name=f"{name}.pdf"), DocumentKind.SUBMITTED)]

    def counter(i, days_ago):
        return services.dossier_receive_at_counter(
            actor=officer,
            procedure=procedures[i % len(procedures)],
            agency=agency,
            applicant=Applicant(
                name=people[i % len(people)],
                id_number=f"0011900{i:05d}",
                phone=f"09120000{i:02d}",
                email=f"congdan{i}@example.com",
                address="Phường Trung Tâm, tỉnh An Bình",
            ),
            files=scan("don-de-nghi"),
            at=now - timedelta(days=days_ago),
        )

    counter(0, 0)  # just received, at the reception step
    d = counter(1, 1)
    services.dossier_forward(
        actor=officer, dossier_id=d.pk, to_holder=specialist, at=now - timedelta(days=1) + timedelta(hours=1)
    )
    d = counter(2, 25)  # long overdue, with the specialist
    services.dossier_forward(actor=officer, dossier_id=d.pk, to_holder=specialist, at=now - timedelta(days=24))
    d = counter(3, 3)
    d = services.dossier_forward(
        actor=officer, dossier_id=d.pk, to_holder=specialist, at=now - timedelta(days=3) + timedelta(hours=1)
    )
    d = services.dossier_forward(actor=specialist, dossier_id=d.pk, to_holder=leader, at=now - timedelta(days=2))
    d = services.dossier_record_result(
        actor=leader,
        dossier_id=d.pk,
        signer="Hoàng Văn Lãnh",
        at=now - timedelta(days=1),
        files=[Upload("giay-phep.pdf", ContentFile(demo_pdf("Giấy phép"), name="giay-phep.pdf"), DocumentKind.RESULT)],
    )
    services.dossier_submit_online(
        applicant_user=None,
        procedure=procedures[0],
        agency=agency,
        applicant=Applicant(name="Bùi Thị Lan", email="lan@example.com", phone="0987000111"),
        files=scan("to-khai-truc-tuyen"),
        at=now - timedelta(hours=2),
    )
