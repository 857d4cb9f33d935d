"""Shared fixtures of the e-form tests: a construction unit with required documents, its form built through
the admin, and a citizen applicant with a profile."""

from datetime import date

import pytest

from eforms import engine
from tests.factories import ProcedureDocumentFactory
from tests.factories.citizens import citizen, construction_unit
from tests.factories.eforms import build_form_through_admin, unit_admin


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    engine.clear_cache()
    yield
    engine.clear_cache()


@pytest.fixture
def unit():
    unit = construction_unit()
    unit.procedure.postal_return = True
    unit.procedure.save()
    unit.id_doc = ProcedureDocumentFactory(procedure=unit.procedure, name="Bản sao căn cước", mandatory=True)
    unit.plan_doc = ProcedureDocumentFactory(procedure=unit.procedure, name="Bản vẽ thiết kế", mandatory=True)
    unit.extra_doc = ProcedureDocumentFactory(procedure=unit.procedure, name="Giấy tờ khác", mandatory=False)
    return unit


@pytest.fixture
def eform(client, unit):
    eform = build_form_through_admin(client, unit_admin(unit.agency), unit.procedure)
    client.logout()
    return eform


@pytest.fixture
def applicant():
    user = citizen(full_name="Trần Thị Bình", id_number="022190001234", email="binh@example.com", phone="0912345678")
    profile = user.citizen_profile
    profile.date_of_birth = date(1990, 5, 17)
    profile.gender = "female"
    profile.address = "Số 5 đường Lê Lợi"
    profile.save()
    return user
