"""The one "world" builder: a unit (an ``Agency``) with its officials in their role groups, a procedure and a
published process whose steps they hold. Every test that needs a unit builds it here.

    u = build_unit("000.00.15.H99", "Sở Xây dựng", officials={
        "officer": member(roles.RECEPTION_OFFICER, username="motcua", position="Cán bộ một cửa"),
        "specialist": member(roles.SPECIALIST, username="chuyenvien"),
        "leader": member(roles.LEADER, username="lanhdao", position="Lãnh đạo"),
    }, holders={0: ["officer"], 1: ["specialist"], 2: ["leader"], 3: ["officer"]})
    u.agency, u.procedure, u.process, u.steps      # steps in order
    u.officer, u.officials["officer"]              # the same user

``holders`` defaults to the usual 4-step hand-over: the officer receives and returns, every specialist
reviews, the leader approves (:data:`USUAL_HOLDERS`; keys a unit has not got are skipped).

Groups are handled here only: :func:`in_roles` puts users in role groups through
:func:`catalog.officials.roles.role_groups` (never a ``Group`` looked up by its name), and
:func:`permission_group` makes a test-only group with just the permissions a test wants.
"""

from dataclasses import dataclass, field

from catalog.officials import roles
from tests.factories.catalog import AgencyFactory, ProcedureFactory
from tests.factories.workflow import DEFAULT_STEPS, official, published_process

#: step index -> the officials (keys of ``officials``) who hold it, for :data:`DEFAULT_STEPS`.
USUAL_HOLDERS = {0: ["officer"], 1: ["specialist", "specialist2"], 2: ["leader"], 3: ["officer"]}


@dataclass(frozen=True)
class Member:
    """One official of a unit: role groups, username (a sequence when None), position ("Chuyên viên" when None),
    other groups, user fields."""

    roles: tuple = ()
    username: str | None = None
    position: str | None = None
    groups: tuple = ()
    user_fields: dict = field(default_factory=dict)


def member(*role_names, username=None, position=None, groups=(), **user_fields):
    """A :class:`Member` in the role groups ``role_names`` (``roles.RECEPTION_OFFICER`` ...; none: no group).

    ``groups`` adds other groups (e.g. a :func:`permission_group`); ``user_fields`` go to ``UserFactory``
    (``first_name``, ``last_name``, ``email``).
    """
    return Member(tuple(role_names), username, position, tuple(groups), user_fields)


@dataclass
class Unit:
    """A unit as :func:`build_unit` made it. ``u.officer`` is ``u.officials["officer"]``."""

    agency: object
    procedure: object = None
    process: object = None
    steps: list = field(default_factory=list)
    officials: dict = field(default_factory=dict)

    def __getattr__(self, key):
        officials = self.__dict__.get("officials") or {}
        if key in officials:
            return officials[key]
        raise AttributeError(key)


def in_roles(user, *role_names):
    """Put ``user`` in the role groups ``role_names`` (role codes; created with their permissions when missing)."""
    unknown = set(role_names) - set(roles.PERMISSIONS)
    if unknown:  # role_groups skips unknown codes: a test would silently get an official without the role
        raise KeyError(f"not role codes: {sorted(unknown)}")
    user.groups.add(*roles.role_groups(role_names))
    return user


def permission_group(name, *permissions):
    """A test-only group ``name`` (not a role) with the permissions ``app_label.codename`` added to it."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, _ = Group.objects.get_or_create(name=name)
    query = Q(pk__in=[])
    for label in permissions:
        app_label, codename = label.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(query))
    return group


def add_official(agency, spec):
    """A user of ``agency`` as ``spec`` (a :class:`Member`) says, in its groups."""
    user = official(agency, spec.username, position=spec.position or "Chuyên viên", **spec.user_fields)
    if spec.roles:
        in_roles(user, *spec.roles)
    if spec.groups:
        user.groups.add(*spec.groups)
    return user


def build_unit(
    code=None,
    name=None,
    *,
    agency=None,
    officials=None,
    procedure=True,
    process=True,
    steps=DEFAULT_STEPS,
    holders=None,
    **agency_fields,
):
    """A unit: the agency (``code``, ``name``, ``agency_fields`` such as ``level``; or an existing ``agency``),
    its ``officials`` (key -> :func:`member`), a procedure of the unit (``procedure``: True, or the
    ``ProcedureFactory`` fields; False for none) and its published process (``process``: True / False) of
    ``steps``, held as ``holders`` says (step index -> keys of ``officials``; default :data:`USUAL_HOLDERS`).
    """
    if agency is None:
        fields = dict(agency_fields)
        if code is not None:
            fields["code"] = code
        if name is not None:
            fields["name"] = name
        agency = AgencyFactory(**fields)
    unit = Unit(agency=agency)
    if procedure:
        unit.procedure = ProcedureFactory(agencies=[agency], **(procedure if isinstance(procedure, dict) else {}))
    unit.officials = {key: add_official(agency, spec) for key, spec in (officials or {}).items()}
    if process and unit.procedure is not None:
        holding = USUAL_HOLDERS if holders is None else holders
        unit.process = published_process(
            unit.procedure,
            steps=steps,
            officials={
                index: [unit.officials[key] for key in keys if key in unit.officials] for index, keys in holding.items()
            },
        )
        unit.steps = list(unit.process.steps.all())
    return unit


def hold(step, *users):
    """Let ``users`` hold ``step`` too (a ParentalManyToManyField reaches the database on ``commit()``)."""
    step.officials.add(*users)
    step.officials.commit()


__all__ = [
    "USUAL_HOLDERS",
    "Member",
    "Unit",
    "add_official",
    "build_unit",
    "hold",
    "in_roles",
    "member",
    "permission_group",
]
