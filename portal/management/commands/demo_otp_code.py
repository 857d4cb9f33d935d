"""`manage.py demo_otp_code <username>`: the current sign-in code of a demo official (portal/demo/otp_data.py).

For trying the demo without an authenticator app. Refuses unless ``DEBUG`` is on and the official's device
holds the published demo key, so it can never reveal the code of a real authenticator.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.demo.otp_data import current_code, is_demo_device
from portal.otp import confirmed_device
from portal.signin_security import is_official


class Command(BaseCommand):
    help = (
        "Print the current TOTP code of a demo official (demo key only, DEBUG only), "
        "e.g. `python manage.py demo_otp_code motcua.sxd`."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refused: demo sign-in codes are printed only on a development server "
                "(DEBUG=1). Use the authenticator app."
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}. Run `python manage.py load_demo` first.")
        if not is_official(user):
            raise CommandError(f"{username!r} is not an official: citizens sign in without a code.")
        device = confirmed_device(user)  # the one the sign-in page checks
        if device is None:
            raise CommandError(
                f"{username!r} has no authenticator yet: signing in at /admin/login/ shows the "
                "set-up page with a QR code."
            )
        if not is_demo_device(device):
            raise CommandError(
                f"Refused: the authenticator of {username!r} does not hold the demo key "
                "(a real authenticator). Use the app."
            )
        code, remaining = current_code(device)
        self.stdout.write(code)
        self.stderr.write(f"valid for {remaining} more seconds; each code signs in once.")
