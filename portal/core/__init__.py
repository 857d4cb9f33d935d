"""The kernel: what every app may import and that imports no app of ours.

* :mod:`portal.core.errors` — the one :class:`DomainError` base under every app's errors;
* :mod:`portal.core.api` — the one DRF exception handler that maps them to HTTP;
* :mod:`portal.core.formatting` — Vietnamese dates, times, money and percentages;
* :mod:`portal.core.links` — absolute public links from the one configured site base URL;
* :mod:`portal.core.uploads` — the content check of every uploaded file (magic bytes, extension, size);
* :mod:`portal.core.storage` — the private file storage (never served from MEDIA_URL);
* :mod:`portal.core.ratelimit` — per-client rate limits on the shared cache (Redis);
* :mod:`portal.core.security` — the CSP / Permissions-Policy middleware;
* :mod:`portal.core.history` — django-simple-history for modelcluster children.

Layering rule (docs/ARCHITECTURE.md): ``portal.core`` ← ``catalog`` ← ``workflow`` ← ``eforms``/``feedback`` ←
the site (``portal``). Nothing here imports ``catalog``, ``workflow``, ``eforms``, ``feedback`` or the rest of
``portal``; ``tests/test_layering.py`` checks it.
"""
