from django.core.management.base import BaseCommand

from portal.demo.loader import DEMO_PASSWORD, load_all


class Command(BaseCommand):
    help = "Create (or refresh) the demo province: catalog, pages and staff accounts. Safe to run repeatedly."

    def handle(self, *args, **options):
        accounts = load_all()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, full_name, role, agency in accounts:
            self.stdout.write(f"  {username:<16} {role:<18} {full_name}" + (f" [{agency}]" if agency else ""))
        self.stdout.write(f"  {'congdan':<16} {'Công dân':<18} Nguyễn Văn An (public site: /tai-khoan/dang-nhap/)")
