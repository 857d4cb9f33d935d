from django.core.management.base import BaseCommand

from portal.demo.loader import DEMO_PASSWORD, load_all
from portal.demo.otp_data import DEMO_TOTP_KEY_BASE32


class Command(BaseCommand):
    help = "Create (or refresh) the demo province: catalog, pages and staff accounts. Safe to run repeatedly."

    def handle(self, *args, **options):
        accounts = load_all()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, full_name, role, agency in accounts:
            self.stdout.write(f"  {username:<16} {role:<18} {full_name}" + (f" [{agency}]" if agency else ""))
        self.stdout.write(
            f"  {'congdan@example.com':<16} {'Công dân':<18} Nguyễn Văn An"
            " (or 0912345678; public site: /tai-khoan/dang-nhap/)"
        )
        self.stdout.write(
            f"Officials then give a second factor (TOTP): an authenticator app holding the public demo key "
            f"{DEMO_TOTP_KEY_BASE32}, or: python manage.py demo_otp_code <username>"
        )
