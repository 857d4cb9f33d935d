"""Role groups of the back office (DESIGN §1). Names are the Vietnamese group names officials see."""
from django.utils.translation import gettext_lazy as _

CONTENT_EDITOR = "Biên tập viên"
UNIT_ADMIN = "Quản trị đơn vị"
RECEPTION_OFFICER = "Cán bộ một cửa"
SPECIALIST = "Chuyên viên"
LEADER = "Lãnh đạo"
SUPERVISOR = "Giám sát"

LABELS = {
    CONTENT_EDITOR: _("Content editor"),
    UNIT_ADMIN: _("Unit admin"),
    RECEPTION_OFFICER: _("One-stop officer"),
    SPECIALIST: _("Specialist"),
    LEADER: _("Leader"),
    SUPERVISOR: _("Supervisor"),
}
