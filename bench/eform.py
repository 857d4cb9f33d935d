"""E-form wizard on a large form: 100 fields in 5 sections with 10 conditions.

Measures, with a signed-in citizen whose filling has all five sections stored:

* ``wizard``: POST of the last section through the real wizard view — the step is
  validated and every earlier section is validated again in order to re-evaluate
  the conditions on the server (what each step and the final submit do), then the
  next step is rendered. Median time and the request's query count.
* ``engine``: :func:`eforms.engine.validate_all` alone over the stored data (the
  whole-form check without HTTP), warm and cold definition cache.

Usage: .venv/bin/python bench/eform.py [--runs 30]
Uses var/bench_eform.sqlite3 (or DATABASE_URL when set).
"""

import argparse
import statistics
import time

from _setup import django_setup, median_ms

SECTIONS, PER_SECTION = 5, 20
CYCLE = [
    "text",
    "number",
    "date",
    "choice",
    "yesno",
    "email",
    "phone",
    "citizen_id",
    "textarea",
    "multichoice",
    "text",
    "number",
    "address",
    "table",
    "tax_code",
    "text",
    "choice",
    "passport",
    "text",
    "textarea",
]


def field_rows(section_index):
    """20 fields; the yes/no at position 4 drives two conditions in its section (10 conditions in all)."""
    rows = []
    for position, kind in enumerate(CYCLE):
        code = f"f{section_index}_{position:02d}"
        row = {
            "code": code,
            "type": kind,
            "label": f"Câu hỏi {section_index}.{position} – thông tin kê khai",
            "required": position % 3 == 0,
            "sort_order": position,
        }
        if kind in ("choice", "multichoice"):
            row["choices"] = "a|Lựa chọn A\nb|Lựa chọn B\nc|Lựa chọn C"
        if kind == "table":
            row["table_columns"] = [
                {"code": "ten", "label": "Tên", "type": "text"},
                {"code": "so", "label": "Số lượng", "type": "number"},
            ]
        if kind == "number":
            row.update(min_value=0, max_value=100000)
        if kind == "text":
            row["max_length"] = 200
        if position in (10, 15):
            row.update(
                condition_field=f"f{section_index}_04",
                condition_operator="equals",
                condition_value="yes",
                required=True,
            )
        rows.append(row)
    return rows


def answers(section_index):
    values = {}
    for position, kind in enumerate(CYCLE):
        code = f"s{section_index + 1}-f{section_index}_{position:02d}"
        value = {
            "text": "Nguyễn Văn A",
            "number": "1234,5",
            "date": "2026-01-15",
            "choice": "b",
            "yesno": "yes",
            "email": "a@example.vn",
            "phone": "0912345678",
            "citizen_id": "022190001234",
            "textarea": "Mô tả chi tiết công trình",
            "multichoice": ["a", "c"],
            "tax_code": "0101234567",
            "passport": "C1234567",
        }.get(kind)
        if kind == "address":
            values.update({f"{code}_0": "22", f"{code}_1": "06652", f"{code}_2": "Số 1 Lê Lợi"})
        elif kind == "table":
            for row in range(3):
                values.update({f"{code}-{row}-ten": f"Nhà thầu {row}", f"{code}-{row}-so": str(row + 1)})
        else:
            values[code] = value
    return values


def populate():
    from django.contrib.auth import get_user_model

    from catalog.models import Agency, Procedure, Sector
    from eforms.models import EForm, FormField, FormSection, FormVersion
    from portal.citizens.identity import create_citizen
    from workflow.models import Process, ProcessStatus, ProcessStep, StepKind

    agency, _ = Agency.objects.get_or_create(code="000.00.77.H77", defaults={"name": "Sở Xây dựng (bench)"})
    sector, _ = Sector.objects.get_or_create(code="BENCH", defaults={"name": "Xây dựng"})
    procedure, created = Procedure.objects.get_or_create(
        national_code="1.999001",
        defaults={"name": "Cấp giấy phép xây dựng (bench)", "sector": sector, "processing_time": 15},
    )
    if created:
        procedure.agencies.add(agency)
        process = Process.objects.create(procedure=procedure, name="Quy trình", status=ProcessStatus.PUBLISHED)
        ProcessStep.objects.create(
            process=process, sort_order=0, name="Tiếp nhận", kind=StepKind.RECEPTION, allowance_hours=8
        )
    eform = EForm.objects.filter(code="1.999001.TK1").first()
    if eform is None:
        eform = EForm.objects.create(procedure=procedure, symbol="TK1", title="Tờ khai 100 trường")
        version = FormVersion.objects.create(eform=eform, number=1)
        for s in range(SECTIONS):
            section = FormSection.objects.create(version=version, title=f"Phần {s + 1}", sort_order=s)
            FormField.objects.bulk_create([FormField(section=section, **row) for row in field_rows(s)])
        from eforms.services import version_publish

        admin = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create(
            username="bench-admin", is_superuser=True, is_staff=True
        )
        version_publish(actor=admin, version_id=version.pk)
    user = get_user_model().objects.filter(citizen_profile__email="bench@example.vn").first()
    if user is None:
        user, _profile = create_citizen(
            full_name="Người Đo Hiệu Năng", password="Bench-2026-mat-khau", email="bench@example.vn", phone="0987654321"
        )
    assert FormField.objects.filter(section__version__eform=eform).count() == SECTIONS * PER_SECTION
    assert FormField.objects.filter(section__version__eform=eform).exclude(condition_field="").count() == 10
    return eform, user


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    django_setup("bench_eform.sqlite3")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # responses carry their template context (the current step)

    from eforms import engine
    from eforms.models import FormDraft

    eform, user = populate()
    client = Client()
    client.force_login(user)
    client.get(f"/nop-truc-tuyen/bieu-mau/{eform.code}/?new=1")
    draft = FormDraft.objects.filter(user=user).latest("created_at")
    url = f"/nop-truc-tuyen/ho-so/{draft.pk}/"
    prefix = f"eform_{draft.pk.hex}"
    for s in range(SECTIONS):
        response = client.post(url, {f"{prefix}-current_step": f"s{s + 1}", **answers(s)})
        assert response.status_code == 200
        expected = f"s{s + 2}" if s + 1 < SECTIONS else "documents"
        current = response.context["wizard"]["steps"].current
        assert current == expected, (current, response.context["form"].errors)

    last = {f"{prefix}-current_step": f"s{SECTIONS}", **answers(SECTIONS - 1)}
    post_last = lambda: client.post(url, last)  # noqa: E731
    assert post_last().context["wizard"]["steps"].current == "documents"
    with CaptureQueriesContext(connection) as ctx:
        post_last()
    wizard_queries = len(ctx.captured_queries)
    wizard_ms = median_ms(post_last, args.runs)

    definition = engine.load_definition(draft.version)
    step_data = {f"s{s + 1}": _querydict(answers(s)) for s in range(SECTIONS)}
    outcome = engine.validate_all(definition, step_data)
    assert not outcome.errors and len(outcome.values) == SECTIONS * PER_SECTION  # every condition met
    with CaptureQueriesContext(connection) as ctx:
        engine.validate_all(definition, step_data)
    engine_queries = len(ctx.captured_queries)
    engine_ms = median_ms(lambda: engine.validate_all(definition, step_data), args.runs)
    cold = []
    for _ in range(max(5, args.runs // 3)):
        engine.clear_cache()
        start = time.perf_counter()
        engine.validate_all(engine.load_definition(draft.version), step_data)
        cold.append((time.perf_counter() - start) * 1000)

    print(
        f"form {eform.code}: {SECTIONS} sections, {SECTIONS * PER_SECTION} fields, 10 conditions "
        f"(database: {connection.vendor})"
    )
    print(
        f"wizard step POST (validates all {SECTIONS} sections) median {wizard_ms:7.1f} ms  ({wizard_queries} queries)"
    )
    print(f"engine validate_all, warm cache           median {engine_ms:7.1f} ms  ({engine_queries} queries)")
    print(f"engine validate_all, cold cache (+ load)  median {statistics.median(cold):7.1f} ms")
    print(f"RESULT wizard_ms={wizard_ms:.1f} wizard_queries={wizard_queries}")


def _querydict(values):
    from django.utils.datastructures import MultiValueDict

    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in values.items()})


if __name__ == "__main__":
    main()
