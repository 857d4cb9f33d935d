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
