import os

os.environ.setdefault("DEBUG", "1")

from portal.settings.base import *  # noqa: E402,F401,F403
