"""Sign-in of citizens with their e-mail address or phone number in the username box.

Add to ``AUTHENTICATION_BACKENDS`` (before Django's ModelBackend, which stays
for officials signing in to the admin with their username)::

    AUTHENTICATION_BACKENDS = [
        "portal.citizens.accounts.backends.EmailOrPhoneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]

Only citizen accounts (a :class:`~portal.citizens.models.CitizenProfile`, never
staff) are found by e-mail or phone, so an official's account cannot be
entered through the citizen sign-in with an e-mail address.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from portal.citizens.identity import find_citizen


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        user = find_citizen(username)
        if user is None:
            return None  # ModelBackend, next in line, does a dummy hash for unknown names
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
