"""Production: refuses to start on development values."""

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.base import AXES_IPWARE_PROXY_COUNT, DEV_SECRET_KEY, STORAGES, env

SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# X-Forwarded-Proto says "https" only if a proxy of ours set it: behind AXES_IPWARE_PROXY_COUNT
# proxies (the same setting the lockout reads X-Forwarded-For by). With none, a client that reaches
# gunicorn directly could send the header itself and skip the redirect to HTTPS.
if AXES_IPWARE_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The language cookie too (set at login and by the language switch): https only, not for scripts.
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Static files under hashed names (portal.1a2b3c.css), which WhiteNoise serves with a cache of a
# year (immutable); `collectstatic` with these settings writes them and their manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
