from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DefaultVietnameseLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the visitor chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which
    shows English to officials whose machines are set up in English; the
    province's rule is Vietnamese first (DESIGN §2), English only on request.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class AdminLanguageMiddleware:
    """In the admin, the official's own admin language (Wagtail account → Language) on every page.

    Wagtail switches to that language only inside its views, so what it renders around them — its 404 page,
    "permission denied", the messages of a refused request — came out in the site language (the cookie)
    instead: Vietnamese pages for an official who chose English, and the reverse. Runs after authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path.startswith("/admin/") and user is not None and user.is_authenticated:
            profile = getattr(user, "wagtail_userprofile", None)
            language = getattr(profile, "preferred_language", "")
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
