"""Test data for every app, one module per app; ``from tests.factories import X`` finds any of them.

* :mod:`tests.factories.catalog` — agencies, sectors, procedures, their documents and fees, FAQ entries;
* :mod:`tests.factories.workflow` — officials (``UserFactory``, ``official``) and published processes;
* :mod:`tests.factories.citizens` — citizens, their stored documents, online dossiers through the services;
* :mod:`tests.factories.eforms` — the e-form builder's POST data and the citizen's wizard;
* :mod:`tests.factories.auth` — officials' second factor (TOTP devices, OTP-verified sessions);
* :mod:`tests.factories.world` — the one builder of a unit with its officials in their role groups.
"""

from tests.factories.auth import confirmed_totp_device, mark_otp_verified, totp_code
from tests.factories.catalog import (
    AGENCY_NAMES,
    PROCEDURE_NAMES,
    SECTOR_NAMES,
    AgencyFactory,
    FaqEntryFactory,
    ProcedureDocumentFactory,
    ProcedureFactory,
    ProcedureFeeFactory,
    SectorFactory,
    WagtailDocumentFactory,
)
from tests.factories.workflow import DEFAULT_STEPS, OfficialFactory, UserFactory, official, published_process
from tests.factories.world import Member, Unit, build_unit, hold, in_roles, member, permission_group

__all__ = [
    "AGENCY_NAMES",
    "DEFAULT_STEPS",
    "PROCEDURE_NAMES",
    "SECTOR_NAMES",
    "AgencyFactory",
    "FaqEntryFactory",
    "Member",
    "OfficialFactory",
    "ProcedureDocumentFactory",
    "ProcedureFactory",
    "ProcedureFeeFactory",
    "SectorFactory",
    "Unit",
    "UserFactory",
    "WagtailDocumentFactory",
    "build_unit",
    "confirmed_totp_device",
    "hold",
    "in_roles",
    "mark_otp_verified",
    "member",
    "official",
    "permission_group",
    "published_process",
    "totp_code",
]
