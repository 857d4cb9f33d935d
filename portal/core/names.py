"""A person's name as Vietnamese write it: họ, đệm, tên ("Lê Thị Một").

The rule for every account: ``last_name`` holds the family and middle names (họ và tên đệm, "Lê Thị"),
``first_name`` the given name (tên, "Một"); the full name is ``last_name first_name``. Django's own
``User.get_full_name`` puts them the Western way round ("Một Lê Thị"), so the catalog app replaces it with
:func:`full_name` when it starts (``catalog/apps.py``): the Django and Wagtail admin, slips, mails, events and
choosers all show the same order. Citizens' accounts hold their whole name in ``first_name`` (``last_name``
empty), which the rule shows unchanged.
"""


def full_name(user) -> str:
    """``"Lê Thị Một"`` from last_name ``"Lê Thị"`` and first_name ``"Một"``; ``""`` when both are empty."""
    return " ".join(part for part in ((user.last_name or "").strip(), (user.first_name or "").strip()) if part)


def display_name(user) -> str:
    """The full name, else the username: how a person is named on screens, slips and in mails."""
    return full_name(user) or user.get_username()


def install():
    """Make ``User.get_full_name`` follow :func:`full_name` (called once from ``CatalogConfig.ready``)."""
    from django.contrib.auth import get_user_model

    def get_full_name(self):
        return full_name(self)

    get_full_name.__doc__ = full_name.__doc__
    get_user_model().get_full_name = get_full_name


def masked_name(name: str) -> str:
    """A person's name with only the family name in full (personal-data protection, DESIGN §6):
    ``"Nguyễn Văn An"`` → ``"Nguyễn V. A."``; a one-word name keeps its initial only (``"An"`` → ``"A."``)."""
    parts = (name or "").split()
    if not parts:
        return ""
    if len(parts) == 1:
        return f"{parts[0][0]}."
    return " ".join([parts[0], *(f"{part[0]}." for part in parts[1:])])
