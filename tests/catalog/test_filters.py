"""The public catalog filter's selects are built in Python (issue 14 item 16) with Django's own markup."""

import re

import pytest
from django import forms

from catalog.filters import ProcedureFilterForm
from tests.factories import AgencyFactory, SectorFactory

pytestmark = pytest.mark.django_db


def test_quick_select_renders_the_markup_of_djangos_select():
    agency = AgencyFactory(name='Sở <Tư pháp> & "Hộ tịch"')
    AgencyFactory(name="Sở Y tế")
    SectorFactory(name="Hộ tịch")
    form = ProcedureFilterForm({"agency": agency.code, "level": "province"})
    assert form.is_valid()
    for name in ("agency", "sector", "level", "online_level"):
        field = form[name]
        quick = field.as_widget(attrs={"aria-describedby": "hint"})
        django = forms.Select(choices=field.field.widget.choices).render(
            field.html_name, field.value(), {"aria-describedby": "hint", "id": field.auto_id}
        )
        assert quick == re.sub(r">\s+<", "><", django).replace("\n", ""), name
    html = str(form["agency"])
    assert f'<option value="{agency.code}" selected>Sở &lt;Tư pháp&gt; &amp; &quot;Hộ tịch&quot;</option>' in html
