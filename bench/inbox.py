"""Officials' inbox with 100,000 open dossiers over 50 agencies (issue 4, "Must show").

Measures, as an official of one agency signed in through the Django test client:

* the admin inbox "My unit's dossiers" (``dossiers:unit``, /admin/dossiers/unit/) at its own page size;
* the API list ``/api/v1/dossiers/`` at its default page size;
* the SQL queries of each at page sizes 20 and 100, which must be equal (no query per row).

Usage: .venv/bin/python bench/inbox.py [--dossiers 100000] [--agencies 50] [--runs 15]
Uses var/bench_inbox.sqlite3 (or DATABASE_URL when set). The data is made once by
``workflow.dossiers.seed.seed_dossiers(open_only=True)`` (``manage.py seed_load --open-only``) and kept for later runs.
Ends with ``RESULT inbox_ms=<median> inbox_queries=<n> api_ms=<median>``.
"""

import argparse
import re
import sys
import time

from _setup import django_setup, median_ms

ROW = re.compile(rb'id="dossier_\d+_title"')  # one per listed dossier (the code column's title id)


def populate(dossiers, agencies):
    from workflow.dossiers.seed import seed_dossiers
    from workflow.models import Dossier

    have = Dossier.objects.open().count()
    if have >= dossiers:
        print(f"database already holds {have} open dossiers")
        return
    start = time.perf_counter()
    # Open dossiers received over the last 90 days: some on time, some due soon, some overdue.
    created = seed_dossiers(dossiers - have, agencies=agencies, days=90, open_only=True, seed=2026 + have)
    print(f"seeded {created} open dossiers over {agencies} agencies in {time.perf_counter() - start:.0f} s")


def official_of_first_unit():
    """The reception official of the first seeded unit, with access to the Wagtail admin."""
    from django.contrib.auth.models import Group, Permission

    from catalog.models import Official

    group, _created = Group.objects.get_or_create(name="Bench officials")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    official = (
        Official.objects.select_related("user", "agency")
        .filter(user__username__startswith="seed.motcua.")
        .order_by("agency__code")
        .first()
    )
    official.user.groups.add(group)
    return official


def count_queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    # Read the count now: the next request start empties the connection's query log.
    return response, len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    django_setup("bench_inbox.sqlite3")
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from workflow.dossiers.admin_views import InboxView
    from workflow.models import Dossier

    populate(args.dossiers, args.agencies)
    official = official_of_first_unit()
    client = Client()
    client.force_login(official.user)
    # The second factor, as after typing the TOTP code (portal/otp.py): officials' pages need it.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=official.user, confirmed=True, defaults={"name": "bench"})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    inbox_url = reverse("dossiers:unit")
    api_url = "/api/v1/dossiers/"
    unit_open = Dossier.objects.filter(agency=official.agency).open().count()
    default_page = InboxView.paginate_by

    def inbox():
        return client.get(inbox_url)

    def api(size=None):
        return client.get(api_url, {"page_size": size} if size else {})

    # Warm up (working calendar, templates, the first connection) and check what the pages show.
    response = inbox()
    assert response.status_code == 200, response.status_code
    assert len(ROW.findall(response.content)) == min(default_page, unit_open)
    response = api()
    assert response.status_code == 200, response.status_code
    api_count = response.json()["count"]

    inbox_queries, api_queries = {}, {}
    try:
        for size in (20, 100):
            InboxView.paginate_by = size  # the inbox has no page-size parameter: its page size, for the check only
            response, inbox_queries[size] = count_queries(inbox)
            assert response.status_code == 200 and len(ROW.findall(response.content)) == size
            response, api_queries[size] = count_queries(lambda: api(size))  # noqa: B023
            assert response.status_code == 200 and len(response.json()["results"]) == size
    finally:
        InboxView.paginate_by = default_page

    _response, inbox_default_queries = count_queries(inbox)
    inbox_ms = median_ms(inbox, args.runs)
    api_ms = median_ms(api, args.runs)

    total = Dossier.objects.count()
    print(
        f"dossiers: {total} ({Dossier.objects.open().count()} open) over "
        f"{Dossier.objects.values('agency').distinct().count()} agencies; database: {connection.vendor}"
    )
    print(
        f"official: {official.user.username} of {official.agency.code} "
        f"({unit_open} open dossiers in the unit, {api_count} listed by the API)"
    )
    print(
        f"inbox {inbox_url:<24} median {inbox_ms:7.1f} ms at {default_page}/page ({inbox_default_queries} queries); "
        f"queries at 20/page: {inbox_queries[20]}, at 100/page: {inbox_queries[100]}"
    )
    print(
        f"api   {api_url:<24} median {api_ms:7.1f} ms at 20/page; "
        f"queries at 20/page: {api_queries[20]}, at 100/page: {api_queries[100]}"
    )
    ok = inbox_queries[20] == inbox_queries[100] and api_queries[20] == api_queries[100]
    if not ok:
        print("FAIL: the query count grows with the page size", file=sys.stderr)
    print(f"RESULT inbox_ms={inbox_ms:.1f} inbox_queries={inbox_queries[20]} api_ms={api_ms:.1f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
