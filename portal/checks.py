"""System checks for settings that only fail at the first citizen's sign-in otherwise."""

from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

VNEID_KEYS = ("VNEID_OIDC_ISSUER", "VNEID_OIDC_DISCOVERY_URL", "VNEID_OIDC_CLIENT_ID", "VNEID_OIDC_CLIENT_SECRET")


@register()
def vneid_settings(app_configs, **kwargs):
    """VNeID is either off (nothing set) or fully set: client id, secret and issuer or discovery URL."""
    given = {key for key in VNEID_KEYS if getattr(settings, key, "")}
    if not given:
        return []
    missing = []
    if not {"VNEID_OIDC_ISSUER", "VNEID_OIDC_DISCOVERY_URL"} & given:
        missing.append("VNEID_OIDC_ISSUER")
    missing += [key for key in ("VNEID_OIDC_CLIENT_ID", "VNEID_OIDC_CLIENT_SECRET") if key not in given]
    if missing:
        return [
            Error(
                f"VNeID sign-in is half configured: {', '.join(missing)} missing.",
                hint="Set every VNEID_OIDC_* variable of the README's 'Sign in with VNeID', or none.",
                id="portal.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def vneid_over_https(app_configs, **kwargs):
    urls = [getattr(settings, key, "") for key in ("VNEID_OIDC_ISSUER", "VNEID_OIDC_DISCOVERY_URL")]
    plain = [url for url in urls if url and urlparse(url).scheme != "https"]
    if plain:
        return [
            Warning(
                f"VNeID is reached without HTTPS: {', '.join(plain)}.",
                hint="Use the provider's https:// issuer in production.",
                id="portal.W001",
            )
        ]
    return []
