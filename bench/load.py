"""Load test on loopback: gunicorn with 1, then 2 workers, driven by locust (headless, bounded).

The mix (issue 8 item 7): citizens look dossiers up (``/tra-cuu/?code=`` and ``/api/v1/lookup/<code>/``)
and browse the catalog (index with a search, procedure detail); officials sign in through the admin
login form, give their second factor (TOTP code on ``/admin/otp/``) and open their unit's inbox
(``/admin/dossiers/unit/``). Each simulated official has an account of their own (``bench.motcua.<n>``, a
copy of ``motcua.sxd`` with the public demo TOTP key), because a TOTP code is accepted once per device.

The site is started here with ``deploy/gunicorn.conf.py`` (the production config; workers, bind and
access log from the environment) on ``portal.settings.test`` over a bench database prepared like
bench/catalog.py: ``manage.py load_demo`` plus ``manage.py seed_load --dossiers 5000`` (once; kept for
later runs). The lookup is rate-limited per client and every simulated user comes from 127.0.0.1, so
the limits are raised for the bench through ``RATELIMIT_LOOKUP``. With ``REDIS_URL`` set, the cache
and rate limits run on Redis as in production.

Usage: .venv/bin/python bench/load.py [--users 20] [--seconds 30] [--dossiers 5000] [--workers 1,2]
Uses var/bench_load.sqlite3 (or DATABASE_URL when set). Prints a table per run and ends with
``RESULT rps_1w=<req/s> rps_2w=<req/s> p95_ms=<p95 of the 2-worker run>``.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import base64  # noqa: E402
import hashlib  # noqa: E402
import hmac  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, constant, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OFFICIAL, PASSWORD = "motcua.sxd", "Demo@2026!tthc"
BENCH_OFFICIALS = 50
#: portal/demo/otp_data.py: the public demo key every bench official's authenticator holds.
DEMO_TOTP_KEY_BASE32 = "TTHCDEMOTTHCDEMOTTHCDEMOTTHCDEMO"
OTP_PAGE = "/admin/otp/"
INBOX = "/admin/dossiers/unit/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DATA = {"dossiers": [], "procedures": []}
SIGN_INS = itertools.count()


def totp_now(key_base32=DEMO_TOTP_KEY_BASE32, step=30, digits=6):
    """RFC 6238 code of the current 30-second step (what the authenticator app shows)."""
    digest = hmac.new(base64.b32decode(key_base32), struct.pack(">Q", int(time.time()) // step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def bench_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_load.sqlite3'}")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "RATELIMIT_LOOKUP": "100000000/minute,100000000/day",  # all simulated citizens share 127.0.0.1
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(*args, env):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(dossiers, env):
    """The bench database: demo province + seeded dossiers (made once), and the codes the users will ask for."""
    manage("migrate", "--noinput", "-v0", env=env)
    probe = (
        "import json, django; django.setup()\n"
        "from workflow.models import Dossier\n"
        "from catalog.models import Procedure\n"
        "from django.contrib.auth import get_user_model\n"
        "print(json.dumps({'dossiers': Dossier.objects.count(),"
        f" 'official': get_user_model().objects.filter(username={OFFICIAL!r}).exists(),"
        " 'codes': list(Dossier.objects.order_by('?').values_list('code', flat=True)[:500]),"
        " 'procedures': list(Procedure.objects.order_by('?').values_list('national_code', flat=True)[:200])}))"
    )

    def state():
        out = subprocess.run([PY, "-c", probe], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    now = state()
    if not now["official"]:
        start = time.perf_counter()
        manage("load_demo", env=env)
        print(f"load_demo in {time.perf_counter() - start:.0f} s")
        now = state()
    if now["dossiers"] < dossiers:
        start = time.perf_counter()
        manage("seed_load", "--dossiers", str(dossiers - now["dossiers"]), env=env)
        print(f"seed_load --dossiers {dossiers - now['dossiers']} in {time.perf_counter() - start:.0f} s")
        now = state()
    bench_officials = (
        "import django; django.setup()\n"  # noqa: UP031
        "from django.contrib.auth import get_user_model\n"
        "from catalog.models import Official\n"
        "from portal.demo.otp_data import DEMO_DEVICE_NAME, DEMO_TOTP_KEY\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "User = get_user_model(); model = User.objects.get(username=%r)\n"
        "for n in range(%d):\n"
        "    user, created = User.objects.get_or_create(username=f'bench.motcua.{n}', defaults={'is_staff': True})\n"
        "    if created:\n"
        "        user.set_password(%r); user.save()\n"
        "        user.groups.set(model.groups.all())\n"
        "        Official.objects.create(user=user, agency=model.official.agency)\n"
        "    TOTPDevice.objects.get_or_create(user=user, confirmed=True,\n"
        "                                     defaults={'name': DEMO_DEVICE_NAME, 'key': DEMO_TOTP_KEY})\n"
    ) % (OFFICIAL, BENCH_OFFICIALS, PASSWORD)
    subprocess.run([PY, "-c", bench_officials], cwd=ROOT, env=env, check=True)
    DATA["dossiers"], DATA["procedures"] = now["codes"], now["procedures"]
    print(
        f"bench database: {now['dossiers']} dossiers, {len(DATA['procedures'])} sampled procedures "
        f"({env['DATABASE_URL'].split(':', 1)[0]}; cache: {'redis' if env.get('REDIS_URL') else 'local memory'})"
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_site(workers, env):
    port = free_port()
    site_env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESSLOG": ""}
    proc = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "portal.wsgi:application"],
        cwd=ROOT,
        env=site_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/tra-cuu/", timeout=5) as response:
                if response.status == 200:
                    return proc, base
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited:\n" + proc.stderr.read().decode()[-3000:])  # noqa: B904
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_site(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Citizen(FastHttpUser):
    """Looks dossiers up by code and browses the catalog."""

    weight = 4
    wait_time = constant(0)

    @task(3)
    def lookup_page(self):
        self.client.get("/tra-cuu/", params={"code": random.choice(DATA["dossiers"])}, name="/tra-cuu/?code=")

    @task(3)
    def lookup_api(self):
        self.client.get(f"/api/v1/lookup/{random.choice(DATA['dossiers'])}/", name="/api/v1/lookup/<code>/")

    @task(2)
    def catalog_index(self):
        self.client.get(
            "/thu-tuc-hanh-chinh/",
            params={"q": random.choice(["giay phep", "xay dung", "dang ky"])},
            name="/thu-tuc-hanh-chinh/?q=",
        )

    @task(2)
    def catalog_detail(self):
        self.client.get(f"/thu-tuc-hanh-chinh/{random.choice(DATA['procedures'])}/", name="/thu-tuc-hanh-chinh/<code>/")


class Official(FastHttpUser):
    """Signs in through the admin login form, then keeps opening the unit's inbox."""

    weight = 1
    wait_time = constant(0)

    def on_start(self):
        username = f"bench.motcua.{next(SIGN_INS) % BENCH_OFFICIALS}"
        page = self.client.get("/admin/login/", name="/admin/login/ (form)")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": username,
                "password": PASSWORD,
                "next": INBOX,
            },
            name="/admin/login/ (sign in)",
            catch_response=True,
        ) as response:
            if OTP_PAGE not in (response.url or ""):
                response.failure(f"sign-in did not ask for the second factor ({response.status_code})")
                return
            token = CSRF.search(response.text or "")
        with self.client.post(
            OTP_PAGE,
            data={"csrfmiddlewaretoken": token.group(1) if token else "", "otp_token": totp_now(), "next": INBOX},
            name="/admin/otp/ (code)",
            catch_response=True,
        ) as response:
            if INBOX not in (response.url or ""):
                response.failure(f"second factor refused ({response.status_code})")

    @task
    def inbox(self):
        with self.client.get(INBOX, name=INBOX, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"inbox answered {response.status_code} (not signed in?)")


def run_load(base, users, seconds):
    env = Environment(user_classes=[Citizen, Official], host=base, events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return env.stats


def report(workers, stats):
    total = stats.total
    print(f"\n--- {workers} worker{'s' if workers > 1 else ''} ---")
    print(f"{'endpoint':<34} {'reqs':>6} {'fail':>5} {'med ms':>7} {'p95 ms':>7}")
    for (name, method), entry in sorted(stats.entries.items()):
        print(
            f"{method + ' ' + name:<34} {entry.num_requests:>6} {entry.num_failures:>5} "
            f"{entry.get_response_time_percentile(0.5):>7.0f} {entry.get_response_time_percentile(0.95):>7.0f}"
        )
    rps = total.num_requests / max(total.last_request_timestamp - total.start_time, 1e-9)
    p95 = total.get_response_time_percentile(0.95)
    print(
        f"{'total':<34} {total.num_requests:>6} {total.num_failures:>5} "
        f"{total.get_response_time_percentile(0.5):>7.0f} {p95:>7.0f}   {rps:.1f} req/s"
    )
    for error in stats.errors.values():
        print(f"  error x{error.occurrences}: {error.method} {error.name}: {error.error}")
    return rps, p95, total.num_failures, total.num_requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    env = bench_env()
    prepare(args.dossiers, env)
    print(
        f"{args.users} users (4 citizens : 1 official), {args.seconds} s per run, no think time, cpus: {os.cpu_count()}"
    )
    results = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        proc, base = start_site(workers, env)
        try:
            results[workers] = report(workers, run_load(base, args.users, args.seconds))
        finally:
            stop_site(proc)
    failures = sum(r[2] for r in results.values())
    if failures:
        print(f"\n{failures} failed requests of {sum(r[3] for r in results.values())}")
    rps = {w: r[0] for w, r in results.items()}
    last = max(results)
    if len(rps) > 1:
        print(f"\nscaling {min(rps)}→{last} workers: x{rps[last] / rps[min(rps)]:.2f}")
    print(f"RESULT rps_1w={rps.get(1, 0):.1f} rps_2w={rps.get(2, 0):.1f} p95_ms={results[last][1]:.0f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
