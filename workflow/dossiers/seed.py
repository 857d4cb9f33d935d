"""Realistic load data in bulk: agencies, procedures, processes and dossiers with steps and events.

Used by ``manage.py seed_load`` for benchmarks and demos. Rows are built in
Python with the real working-time engine (due, appointment, step timers) and
written as plain tuples with the DB-API ``executemany`` (ids allocated here, no
model instances), so a million dossiers take minutes, not hours.
"""

import random
from datetime import UTC, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Agency, AgencyLevel, Official, Procedure, Sector
from catalog.search import fold
from workflow.dossiers.cycles import derive, dossier_timeliness, event_view, past_facts_changed
from workflow.models import (
    Action,
    Channel,
    CyclePause,
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    ProcessStatus,
    ReceptionCycle,
    Status,
    StepKind,
    StepRun,
)
from workflow.processes.services import StepSpec, process_build
from workflow.worktime import DAY_MINUTES, get_calendar

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Quốc", "Ngọc", "Đức"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Nam", "Phương", "Quân", "Thảo", "Tuấn"]
STEP_PLAN = [
    ("Tiếp nhận hồ sơ", StepKind.RECEPTION),
    ("Thẩm định hồ sơ", StepKind.PROCESSING),
    ("Lãnh đạo phê duyệt", StepKind.APPROVAL),
    ("Trả kết quả", StepKind.RESULT),
]
BATCH = 5000


class _Rows:
    """Raw multi-row inserts for one model: every concrete column, defaults filled in once."""

    def __init__(self, model, now):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.datetime_columns = {i for i, f in enumerate(self.fields) if f.get_internal_type() == "DateTimeField"}
        self.defaults = {}
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults[field.attname] = now
            else:  # the declared default, or "" for text columns and None for nullable ones
                self.defaults[field.attname] = field.get_db_prep_save(field.get_default(), connection)
        self.items = list(self.defaults.items())
        self.sqlite = connection.vendor == "sqlite"
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        self.sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) FROM {table}")
            self.next_id = (cursor.fetchone()[0] or 0) + 1
        self.rows = []

    def allocate(self):
        pk, self.next_id = self.next_id, self.next_id + 1
        return pk

    def add(self, values):
        """``values`` maps attnames (``agency_id``...) to Python values; the rest take their defaults."""
        row = [values.get(name, default) for name, default in self.items]
        for index in self.datetime_columns:
            value = row[index]
            if value is not None and self.sqlite and not isinstance(value, str):
                row[index] = str(value.astimezone(UTC).replace(tzinfo=None))
        self.rows.append(row)

    def flush(self):
        if self.rows:
            with connection.cursor() as cursor:
                for start in range(0, len(self.rows), 2000):
                    cursor.executemany(self.sql, self.rows[start : start + 2000])
        self.rows = []


def _reset_sequences(models):
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _units(count):
    agencies = []
    for i in range(count):
        code = f"{900 + i // 100:03d}.{i % 100:02d}.00.L01"
        agency, _ = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name": f"Đơn vị thử tải số {i + 1}",
                "level": AgencyLevel.PROVINCE if i < 20 else AgencyLevel.COMMUNE,
            },
        )
        agencies.append(agency)
    return agencies


def _officials(agencies):
    User = get_user_model()
    by_agency = {}
    for agency in agencies:
        users = []
        for role in ("motcua", "chuyenvien", "lanhdao"):
            user, created = User.objects.get_or_create(
                username=f"seed.{role}.{agency.pk}",
                defaults={"first_name": random.choice(GIVEN), "last_name": random.choice(FAMILY), "is_staff": True},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            Official.objects.get_or_create(user=user, defaults={"agency": agency, "position": role})
            users.append(user)
        by_agency[agency.pk] = users
    return by_agency


def _procedures(agencies, per_agency, rng):
    sector, _ = Sector.objects.get_or_create(code="SEED", defaults={"name": "Lĩnh vực thử tải"})
    procedures = []
    for a_index, agency in enumerate(agencies):
        for p_index in range(per_agency):
            code = f"9.{a_index:03d}{p_index:03d}"
            name = f"Thủ tục thử tải {a_index}-{p_index}"
            procedure, created = Procedure.objects.get_or_create(
                national_code=code,
                defaults={
                    "name": name,
                    "sector": sector,
                    "processing_time": Decimal(rng.choice([1, 3, 5, 10, 15, 20])),
                    "search_text": fold(f"{code} {name}"),
                },
            )
            if created:
                procedure.agencies.add(agency)
            process = procedure.processes.filter(status=ProcessStatus.PUBLISHED).first()
            if process is None:
                total = procedure.processing_minutes
                edge = min(240, total // 10)
                process = process_build(
                    procedure=procedure,
                    name=f"Quy trình {code}",
                    status=ProcessStatus.PUBLISHED,
                    steps=[
                        StepSpec(step_name, kind, Decimal(minutes) / 60)
                        for (step_name, kind), minutes in zip(STEP_PLAN, [edge, total - 3 * edge, edge, edge])
                    ],
                )
            procedures.append((agency, procedure, process, list(process.steps.all())))
    return procedures


def _status_for(age_days, rng, open_only):
    if open_only:
        return rng.choices(
            [Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT], [5, 10, 75, 7, 3]
        )[0]
    if age_days < 20:
        return rng.choices(
            [
                Status.NEW,
                Status.RECEIVED,
                Status.PROCESSING,
                Status.SUPPLEMENT,
                Status.PAYMENT,
                Status.RESOLVED,
                Status.RETURNED,
            ],
            [3, 5, 50, 6, 2, 14, 20],
        )[0]
    return rng.choices(
        [
            Status.RETURNED,
            Status.RESOLVED,
            Status.NOT_ACCEPTED,
            Status.STOPPED,
            Status.WITHDRAWAL,
            Status.PROCESSING,
            Status.SUPPLEMENT,
        ],
        [80, 6, 3, 3, 2, 4, 2],
    )[0]


def seed_dossiers(count, *, agencies=50, procedures_per_agency=5, days=730, open_only=False, seed=2026, stdout=None):
    """Create ``count`` dossiers spread over ``days`` days. Returns the number created."""
    rng = random.Random(seed)
    calendar = get_calendar()
    units = _units(agencies)
    staff = _officials(units)
    names = {u.pk: u.get_full_name() for users in staff.values() for u in users}
    plans = _procedures(units, procedures_per_agency, rng)
    now = timezone.now().replace(second=0, microsecond=0)
    counters = {(c.agency_id, c.day): c.last for c in DossierCodeCounter.objects.filter(agency__in=units)}
    table = {
        "dossiers": _Rows(Dossier, now),
        "events": _Rows(DossierEvent, now),
        "runs": _Rows(StepRun, now),
        "cycles": _Rows(ReceptionCycle, now),
        "pauses": _Rows(CyclePause, now),
    }
    form_data = Dossier._meta.get_field("form_data").get_db_prep_save({}, connection)
    event_data = DossierEvent._meta.get_field("data").get_db_prep_save({}, connection)
    created = 0
    while created < count:
        size = min(BATCH, count - created)
        for _ in range(size):
            agency, procedure, process, steps = rng.choice(plans)
            officer, specialist, leader = staff[agency.pk]
            age_days = rng.random() * days
            received = calendar.next_working_moment(now - timedelta(days=age_days))
            if received > now:
                received = now - timedelta(minutes=rng.randint(1, 600))
            day = timezone.localdate(received)
            counters[(agency.pk, day)] = counters.get((agency.pk, day), 0) + 1
            status = _status_for(age_days, rng, open_only)
            allowance = procedure.processing_minutes
            due = calendar.add_working_minutes(received, allowance)
            d = {
                "id": table["dossiers"].allocate(),
                "code": f"{agency.code}-{day:%y%m%d}-{counters[(agency.pk, day)]:04d}",
                "procedure_id": procedure.pk,
                "agency_id": agency.pk,
                "process_id": process.pk,
                "channel": rng.choices(list(Channel.values), [45, 50, 5])[0],
                "applicant_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "applicant_id_number": f"0{rng.randint(10, 96):02d}{rng.randint(0, 10**9 - 1):09d}",
                "form_data": form_data,
                "status": int(status),
                "submitted_at": received,
                "cycle": 1,
                "allowance_minutes": allowance,
                "current_agency_id": agency.pk,
                "lookup_token": f"{rng.getrandbits(128):032x}",
                "counts_as_late": False,
            }
            if status != Status.NEW:
                d["received_at"] = d["clock_started_at"] = d["clock_running_since"] = received
                d["due_at"], d["appointment_at"] = due, calendar.appointment_for(due)
            else:
                d["reception_due_at"] = calendar.add_working_minutes(received, DAY_MINUTES)
            step_index = {
                Status.NEW: 0,
                Status.RECEIVED: 0,
                Status.PROCESSING: rng.choice([1, 1, 2]),
                Status.SUPPLEMENT: 1,
                Status.PAYMENT: 1,
            }.get(status, 3)
            d["current_step_id"] = steps[step_index].pk
            holders = [officer, specialist, leader, officer]
            finished_at = None
            if status in (Status.SUPPLEMENT, Status.PAYMENT):
                d["clock_paused_at"] = min(now, calendar.add_working_minutes(received, rng.randint(30, 900)))
                d["clock_used_minutes"] = calendar.working_minutes_between(received, d["clock_paused_at"])
                d["supplement_count"] = 1 if status == Status.SUPPLEMENT else 0
            if status in (Status.RESOLVED, Status.RETURNED, Status.STOPPED, Status.NOT_ACCEPTED, Status.WITHDRAWAL):
                # Most finish in time; some late (about 1 in 8), a few rescheduled.
                spend = int(allowance * rng.choice([0.3, 0.6, 0.8, 0.95, 1.0, 0.9, 0.7, 1.4]))
                finished_at = min(now, calendar.add_working_minutes(received, max(spend, 10)))
                if status in (Status.RESOLVED, Status.RETURNED):
                    d["result_recorded_at"] = finished_at
                    d["counts_as_late"] = rng.random() < 0.02
                if status != Status.RESOLVED:
                    d["returned_at"] = d["closed_at"] = finished_at
                    d["current_holder_id"] = None
            else:
                d["current_holder_id"] = holders[step_index].pk
            _history(table, d, step_index, holders, steps, finished_at, calendar, now, names, event_data)
            table["dossiers"].add(d)
        with transaction.atomic():
            for key in ("dossiers", "events", "runs", "cycles", "pauses"):
                table[key].flush()
        created += size
        if stdout:
            stdout.write(f"  {created}/{count} dossiers")
    with transaction.atomic():
        _reset_sequences([Dossier, DossierEvent, StepRun, ReceptionCycle, CyclePause])
        DossierCodeCounter.objects.filter(agency__in=units).delete()
        DossierCodeCounter.objects.bulk_create(
            [DossierCodeCounter(agency_id=a, day=day, last=last) for (a, day), last in counters.items()],
            batch_size=5000,
        )
    past_facts_changed()
    return created


def _history(table, d, step_index, holders, steps, finished_at, calendar, now, names, data):
    """The event log, step timers and reception cycles of one seeded dossier (the cycles derived from the log
    exactly as the services derive them, so ``manage.py report_facts`` finds no difference)."""
    log = []

    def event(action, at, actor=None, **fields):
        log.append(
            {
                "id": table["events"].allocate(),
                "dossier_id": d["id"],
                "action": str(action),
                "actor_id": actor.pk if actor else None,
                "actor_name": names[actor.pk] if actor else d["applicant_name"],
                "at": at,
                "effective_at": calendar.next_working_moment(at),
                "due_at": d.get("due_at"),
                "data": data,
                **fields,
            }
        )

    at = d["submitted_at"]
    received = d.get("received_at")
    status = d["status"]
    if received:
        event(Action.RECEIVE, at, holders[0], to_status=int(Status.RECEIVED), to_step_id=steps[0].pk)
    else:
        event(Action.SUBMIT, at, to_status=int(Status.NEW), to_step_id=steps[0].pk)
    if received:
        end = finished_at or d.get("clock_paused_at") or now
        for index in range(min(step_index, 3) + 1):
            step = steps[index]
            leave = min(end, calendar.add_working_minutes(at, step.allowance_minutes)) if index < step_index else None
            used = calendar.working_minutes_between(at, leave) if leave else 0
            table["runs"].add(
                {
                    "id": table["runs"].allocate(),
                    "dossier_id": d["id"],
                    "step_id": step.pk,
                    "cycle": 1,
                    "agency_id": d["agency_id"],
                    "holder_id": holders[index].pk,
                    "arrived_at": at,
                    "departed_at": leave,
                    "allowance_minutes": step.allowance_minutes,
                    "used_minutes": used,
                    "overdue": used > step.allowance_minutes,
                    "due_at": calendar.add_working_minutes(at, step.allowance_minutes),
                }
            )
            if leave:
                event(
                    Action.FORWARD,
                    leave,
                    holders[index],
                    from_status=int(Status.PROCESSING),
                    to_status=int(Status.PROCESSING),
                    from_step_id=step.pk,
                    to_step_id=steps[index + 1].pk,
                    step_used_minutes=used,
                )
                at = leave
        closing = {
            Status.NOT_ACCEPTED: Action.REFUSE_RECEPTION,
            Status.STOPPED: Action.STOP,
            Status.WITHDRAWAL: Action.WITHDRAW,
        }.get(status)
        paused = {Status.SUPPLEMENT: Action.REQUEST_SUPPLEMENT, Status.PAYMENT: Action.REQUEST_PAYMENT}.get(status)
        if d.get("result_recorded_at"):
            if d["counts_as_late"]:
                event(Action.APOLOGIZE, d["result_recorded_at"], holders[1], to_status=int(Status.PROCESSING))
            event(Action.RECORD_RESULT, d["result_recorded_at"], holders[2], to_status=int(Status.RESOLVED))
            if d.get("returned_at"):
                event(Action.RETURN_RESULT, d["returned_at"], holders[3], to_status=int(Status.RETURNED))
        elif closing and finished_at:
            event(closing, finished_at, holders[min(step_index, 2)], to_status=int(status))
        elif paused:
            event(paused, d["clock_paused_at"], holders[1], to_status=int(status))
    for row in log:
        table["events"].add(row)
    facts = derive(
        [event_view({**row, "data": {}}) for row in log],
        calendar=calendar,
        allowance_minutes=d["allowance_minutes"],
        reception_due_at=d.get("reception_due_at"),
    )
    d["timeliness"] = dossier_timeliness(facts)
    for fact in facts:
        cycle_id = table["cycles"].allocate()
        table["cycles"].add(
            {
                "id": cycle_id,
                "dossier_id": d["id"],
                "number": fact.number,
                "agency_id": d["agency_id"],
                "procedure_id": d["procedure_id"],
                "channel": d["channel"],
                **fact.columns(),
            }
        )
        for started, ended, reason in fact.pauses:
            table["pauses"].add(
                {
                    "id": table["pauses"].allocate(),
                    "cycle_id": cycle_id,
                    "started_at": started,
                    "ended_at": ended,
                    "reason": reason,
                }
            )


__all__ = ["seed_dossiers", "DAY_MINUTES"]
