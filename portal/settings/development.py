"""What `make run` uses: the embedded defaults with debugging conveniences."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
