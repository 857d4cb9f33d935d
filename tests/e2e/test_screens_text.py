"""No raw values or machine formats on the main screens, in Vietnamese and in English (issue 14 item 7).

Crawls the public pages, the lookup, My dossiers, the admin dossier lists and detail, the reports, the feedback
queue and the catalog admin over the demo data, and fails on what a reader must never see: ``True`` / ``False``
/ ``None``, UTC offsets and ISO timestamps, raw status codes, ``22.2%`` / ``15.0`` (numbers go through
portal/core/formatting.py whatever the language). The patterns are in ``tests/e2e/screens.py``.
"""

import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import MaintenanceNotice, Procedure
from portal.lookup import lookup_url
from tests.e2e.screens import problems, use_language, visible_text
from tests.factories.citizens import citizen, construction_unit, receive, submit_online
from tests.factories.workflow import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.RATELIMIT_ENABLED = False
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    now = timezone.now()
    MaintenanceNotice.objects.create(title="Bảo trì hệ thống", starts_at=now, ends_at=now + timedelta(hours=2))
    unit = construction_unit()
    applicant = citizen()
    dossier = receive(unit, submit_online(unit, applicant))
    return {"dossier": dossier, "applicant": applicant, "admin": UserFactory(is_superuser=True)}


def public_urls(dossier):
    procedure = Procedure.objects.published().filter(processing_time__isnull=False).first()
    urls = ["/", "/thu-tuc-hanh-chinh/", "/co-quan/", "/hoi-dap/", "/tin-tuc/", reverse("feedback:rating_results")]
    urls.append("/" + lookup_url(dossier).split("/", 3)[3])  # the receipt's QR link (with its token)
    urls += [reverse("lookup") + f"?code={dossier.code}"]
    if procedure is not None:
        from portal.models import procedure_url

        urls.append(procedure_url(procedure))
    return urls


def admin_urls(dossier):
    return [
        "/admin/",
        reverse("dossiers:mine"),
        reverse("dossiers:all"),
        reverse("dossiers:reception"),
        reverse("dossiers:detail", args=[dossier.pk]),
        reverse("reports:index"),
        reverse("reports:index766"),
        reverse("feedback_admin:index"),
        reverse("feedback_admin:ratings"),
        "/admin/snippets/catalog/procedure/",
        "/admin/snippets/catalog/agency/",
        "/admin/snippets/catalog/faqentry/",
        "/admin/snippets/catalog/maintenancenotice/",
        "/admin/users/",
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_main_screens_show_no_raw_values_or_utc_times(world, language):
    dossier = world["dossier"]
    found = []

    def crawl(client, urls):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (language, url, response.status_code)
            found.extend(f"{url}: {problem}" for problem in problems(visible_text(response.content.decode())))

    visitor = Client()
    use_language(visitor, language)
    crawl(visitor, public_urls(dossier))

    applicant = Client()
    use_language(applicant, language)
    applicant.force_login(world["applicant"])
    crawl(applicant, [reverse("citizen:dossiers"), reverse("citizen:dossier", args=[dossier.pk])])

    official = Client()
    use_language(official, language)
    official.force_login(world["admin"])
    crawl(official, admin_urls(dossier))

    assert not found, f"{language}: " + "\n".join(found)
