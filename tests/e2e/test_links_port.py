"""Public links follow the port the site runs on (issue 14 item 1).

``make run`` starts ``scripts/run_site.sh HOST PORT``, which sets ``BASE_URL`` from HOST and PORT; every absolute
link (receipt QR code and link, My dossiers, e-mails, SMS, rating and verification links) is built from it by
``portal/core/links.py``. This test starts that script on a free port (not 8000) over a copy of the test
database, signs in as the citizen, downloads the receipt PDF, renders it, decodes its QR code (zxing-cpp) and
follows the decoded link: it must open the dossier's lookup page on the running server.
"""

import io
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from tests.factories.citizens import PASSWORD, citizen, construction_unit, receive, submit_online

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "manage.py").is_file())
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="copies the SQLite test database for the server"),
]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy_database(target: Path):
    """The test database (committed rows: a transactional test) copied to a file the server can open."""
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)


def _site(tmp_path, port):
    """``scripts/run_site.sh 127.0.0.1 <port>`` — what ``make run`` runs — with no BASE_URL in the environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"BASE_URL", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"} and not k.startswith("PYTEST")
    }
    env.update(VAR_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    (tmp_path / "var").mkdir()
    log = open(tmp_path / "site.log", "wb")  # noqa: SIM115 - closed by the caller with the process
    process = subprocess.Popen(
        ["bash", "scripts/run_site.sh", "127.0.0.1", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=5)
            return process, log
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                os.killpg(process.pid, signal.SIGTERM)
                log.close()
                pytest.fail("the site did not start:\n" + (tmp_path / "site.log").read_text(errors="replace"))
            time.sleep(0.3)


def _decode_qr(pdf: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    texts = []
    for page in document:
        image = page.render(scale=3).to_pil()
        texts += [result.text for result in zxingcpp.read_barcodes(image)]
    return texts


def test_receipt_qr_code_opens_the_lookup_on_the_port_the_site_runs_on(tmp_path):
    unit = construction_unit()
    user = citizen(email="an.nguyen@example.com")
    # The server runs the development settings: a password hash their hashers read (the tests use MD5).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "salt-for-a-test", iterations=1000)
    user.save(update_fields=["password"])
    dossier = receive(unit, submit_online(unit, user))
    _copy_database(tmp_path / "db.sqlite3")

    port = _free_port()
    assert port != 8000
    process, log = _site(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        browser = requests.Session()
        sign_in = base + reverse("citizen:login")
        browser.get(sign_in, timeout=30)
        answer = browser.post(
            sign_in,
            data={
                "username": "an.nguyen@example.com",
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            headers={"Referer": sign_in},
            timeout=30,
        )
        assert answer.url.endswith(reverse("citizen:dossiers")), answer.text[:2000]

        detail = browser.get(base + reverse("citizen:dossier", args=[dossier.pk]), timeout=30).text
        links = set(re.findall(r'href="(https?://[^"]+)"', detail))
        assert links, "My dossiers shows the dossier's public lookup link"
        assert all(link.startswith(base + "/") for link in links), links

        receipt = browser.get(base + reverse("citizen:dossier_receipt", args=[dossier.pk]), timeout=60)
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
        decoded = _decode_qr(receipt.content)
        assert len(decoded) == 1, decoded
        url = decoded[0]
        assert url.startswith(f"{base}/tra-cuu/?code={dossier.code}"), url

        scanned = requests.get(url, timeout=30)  # a phone: no session
        assert scanned.status_code == 200
        assert scanned.url.startswith(base + reverse("lookup"))
        assert dossier.code in scanned.text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
        log.close()
