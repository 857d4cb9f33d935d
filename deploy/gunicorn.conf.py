"""gunicorn settings for the app servers (docs/deployment.md): `gunicorn -c deploy/gunicorn.conf.py portal.wsgi:application`.

Every value can be overridden from the environment (the systemd unit's EnvironmentFile); bench/load.py starts
the site with this file too (WEB_CONCURRENCY=1, then 2).
"""  # noqa: E501

import multiprocessing
import os

# nginx talks to us on loopback (one host) or a private address (several app servers behind one proxy).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers: Django requests are short and database-bound. 2 × cores + 1 is gunicorn's rule of thumb;
# keep workers × DB_CONN_MAX_AGE connections within PostgreSQL's max_connections across all app servers.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # PDF receipts and report exports take a few seconds
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes a server down; jitter avoids all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only the reverse proxy may set X-Forwarded-*; Django trusts X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # "-": journald via stdout; "": off
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
proc_name = "tthc-web"
