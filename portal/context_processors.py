from django.utils import timezone


def site_chrome(request):
    """Maintenance notices shown on every public page."""
    from catalog.selectors import maintenance_notices_visible

    if request.path.startswith("/admin/") or request.path.startswith("/api/"):
        return {}
    return {"maintenance_notices": maintenance_notices_visible(timezone.now())}
