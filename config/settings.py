"""Reelsmith settings: one module, every knob read from the environment with a working default.

The README lists every variable. Development needs none of them; production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and the provider keys.
"""

from pathlib import Path

import dj_database_url
import redis
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from config.env import env_bool, env_int, env_list, env_str, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REELSMITH_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY: it is required when DEBUG is off.")
    SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    # The admin with email login and the metrics page (operations.admin_site).
    "operations.apps.ReelsmithAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "channels",
    "media_pipeline",
    "live",
    "projects",
    "storyboards",
    "nerf",
    "api",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "config.middleware.BackendDownMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.ApiMethodNotAllowedMiddleware",
    "config.middleware.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "live.middleware.HtmxLoginRedirectMiddleware",
    "config.middleware.RequestRefusedMiddleware",
    "operations.middleware.ProjectHoldMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    }
]

# --- Data ---------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'reelsmith.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web process read while a worker writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "reelsmith"),
        # Short timeouts: while Redis is away a request fails fast (rate limits fail open, the
        # rest answers 503); a pooled connection is pinged after idling, then reconnected.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2, "health_check_interval": 15},
    }
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # Longer than channels_redis's 5 s blocking read: redis-py 8 times reads out after
            # 5 s by default, which would drop every idle WebSocket (channels_redis#422).
            # After Redis restarts, pooled connections are dead: retry once on a fresh one, or
            # the first WebSocket (or publish) after the outage fails.
            "hosts": [
                {
                    "address": REDIS_URL,
                    "socket_timeout": 10,
                    "retry": Retry(ExponentialBackoff(cap=1, base=0.05), retries=2),
                    "retry_on_error": [redis.ConnectionError],
                }
            ],
            "prefix": env_str("CHANNEL_PREFIX", "reelsmith"),
        },
    }
}

# --- Files --------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
MAX_UPLOAD_PIXELS = env_int("MAX_UPLOAD_PIXELS", 40_000_000)
# Form fields (files aside) and files kept in memory; larger files spool to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "media_pipeline.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

S3_BUCKET = env_str("S3_BUCKET")
MEDIA_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": env_str("S3_CUSTOM_DOMAIN") or None,
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 3600),
            "file_overwrite": False,
        },
    }
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Media is served through an owner-checked view (media_pipeline.delivery). Behind nginx, set
# this to an `internal` location aliasing MEDIA_ROOT and the proxy sends the bytes.
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("MEDIA_ACCEL_REDIRECT_PREFIX")

# --- Accounts -----------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "projects:list"
ACCOUNT_LOGOUT_REDIRECT_URL = "landing"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Mandatory confirmation is what lets sign-up hide which emails have accounts: signing up with
# a taken email looks like success and mails that address instead. Development skips it.
ACCOUNT_EMAIL_VERIFICATION = env_str(
    "ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory"
)
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = True

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Reelsmith <noreply@localhost>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security (the production half is what `check --deploy` asks for) -----------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
MEDIA_SOURCES = [SELF, "data:", "blob:"] + (
    [f"https://{MEDIA_STORAGE['OPTIONS']['custom_domain']}"]
    if MEDIA_STORAGE.get("OPTIONS", {}).get("custom_domain")
    else []
)
# htmx runs with allowEval off (templates/base.html), so scripts need no 'unsafe-eval'; the
# WebSocket's own host is added per request (config.middleware.SecurityHeadersMiddleware).
# Styles allow inline: style="" attributes carry data (mood palette colours as CSS variables)
# and a nonce cannot cover attributes; CSS cannot run script, so the risk is small.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": MEDIA_SOURCES,
        "media-src": MEDIA_SOURCES,
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# /health names what is down to everyone, and says why only to staff or `?token=HEALTH_TOKEN`.
HEALTH_TOKEN = env_str("HEALTH_TOKEN")
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "daphne": {"level": "WARNING"}},
}

# --- Workers ------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "io"
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
# A job whose whole worker died stays unacknowledged in Redis until this many seconds have
# passed, then any worker takes it again (a dead prefork child's job is requeued at once).
# Provider jobs run well under it; longer jobs hold a lease they renew, so a duplicate
# delivery of a live job waits instead of running twice. Sweeps for such messages run every
# 10 s. Every countdown (retry backoff) stays below it, or the waiting job would run twice.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
JOB_MAX_COUNTDOWN_SECONDS = max(1, CELERY_VISIBILITY_TIMEOUT * 4 // 5)
# The soft time limit of a provider job (one image, one clip, one reply) unless it sets its own:
# past the longest provider deadline (a Replicate video may take 8 minutes).
PROVIDER_JOB_SECONDS = env_int("PROVIDER_JOB_SECONDS", 600)
# How long a job's claim on its artifact holds without a heartbeat (every provider wait renews
# it): longer than any single blocking call, short enough that a dead worker's job resumes soon.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 180)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The last resort: artifacts in flight past every lease and retry become `failed` (with a retry
# button), so nothing spins forever. A job whose worker died is normally redelivered first.
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-chat-replies": {"task": "projects.tasks.chat_reply_sweep_task", "schedule": 60.0},
    "sweep-stuck-moods": {"task": "storyboards.tasks.mood_sweep_task", "schedule": 60.0},
    "sweep-stuck-scenes": {"task": "storyboards.tasks.scene_sweep_task", "schedule": 60.0},
    "sweep-stuck-cutouts": {"task": "projects.tasks.product_image_sweep_task", "schedule": 60.0},
    "sweep-stuck-captures": {"task": "nerf.tasks.capture_sweep_task", "schedule": 300.0},
}

# --- Generation engine (media_pipeline) ---------------------------------------------

OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL") or None
REPLICATE_API_TOKEN = env_str("REPLICATE_API_TOKEN")
REPLICATE_BASE_URL = env_str("REPLICATE_BASE_URL") or None
REPLICATE_WEBHOOK_SECRET = env_str("REPLICATE_WEBHOOK_SECRET")
# A public base URL makes Replicate call us back instead of being polled.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL").rstrip("/")
PROVIDER_TIMEOUT_SECONDS = env_int("PROVIDER_TIMEOUT_SECONDS", 120)
FFMPEG_BINARY = env_str("FFMPEG_BINARY")
# Modal reads MODAL_TOKEN_ID / MODAL_TOKEN_SECRET itself; the id here only picks the backend.
MODAL_TOKEN_ID = env_str("MODAL_TOKEN_ID")
MODAL_APP_NAME = env_str("MODAL_APP_NAME", "reelsmith-nerf")
# The 3D capture: a turntable of this many RGBA frames (the seed renders 1440: 60 s at 24 fps).
CAPTURE_FRAME_COUNT = env_int("CAPTURE_FRAME_COUNT", 1440)
CAPTURE_MIN_PHOTOS = env_int("CAPTURE_MIN_PHOTOS", 12)
# A video walked around the product gives this many photos, evenly spaced.
CAPTURE_VIDEO_FRAMES = env_int("CAPTURE_VIDEO_FRAMES", 24)
# Product fidelity: a placement scoring under this is flagged with a one-click retry.
PRODUCT_MATCH_THRESHOLD = float(env_str("PRODUCT_MATCH_THRESHOLD", "0.5"))

QUALITY = env_str("REELSMITH_QUALITY", "development")
QUALITY_PROFILES = {
    # Small and quick: drafts, demos and the browser tests.
    "preview": {
        "image_steps": 10,
        "frame_size": (288, 512),
        "images_per_mood": 1,
        "chat_model": "gpt-4o-mini",
        "fps": 12,
        "nerf_gpu": "T4",
    },
    "development": {
        "image_steps": 15,
        "frame_size": (512, 912),
        "images_per_mood": 1,
        "chat_model": "gpt-4o-mini",
        "fps": 24,
        "nerf_gpu": "T4",
    },
    "production": {
        "image_steps": 50,
        "frame_size": (1080, 1920),
        "images_per_mood": 4,
        "chat_model": "gpt-4o",
        "fps": 30,
        "nerf_gpu": "A10G",
    },
}
if QUALITY not in QUALITY_PROFILES:
    raise ImproperlyConfigured(f"REELSMITH_QUALITY must be one of {sorted(QUALITY_PROFILES)}.")
QUALITY_PROFILE = QUALITY_PROFILES[QUALITY]

REPLICATE_MODELS = {
    "image": env_str(
        "REPLICATE_IMAGE_MODEL",
        "stability-ai/sdxl:7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc",
    ),
    "video": env_str(
        "REPLICATE_VIDEO_MODEL",
        "stability-ai/stable-video-diffusion:3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438",
    ),
    "compositing": env_str(
        "REPLICATE_COMPOSITING_MODEL", "flux-kontext-apps/multi-image-kontext-pro"
    ),
    "audio": env_str(
        "REPLICATE_AUDIO_MODEL",
        "meta/musicgen:671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb",
    ),
    "cutout": env_str(
        "REPLICATE_CUTOUT_MODEL",
        "cjwbw/rembg:fb8af171cfa1616ddcf1242c093f9c46bcada5ad4cf6f2fbe8b81b330ec5c003",
    ),
}

BACKENDS = {
    "text": (
        "media_pipeline.backends.openai_text.OpenAITextBackend",
        "media_pipeline.backends.local_text.LocalTextBackend",
        OPENAI_API_KEY,
    ),
    "image": (
        "media_pipeline.backends.replicate_media.ReplicateImageBackend",
        "media_pipeline.backends.local_image.LocalImageBackend",
        REPLICATE_API_TOKEN,
    ),
    "video": (
        "media_pipeline.backends.replicate_media.ReplicateVideoBackend",
        "media_pipeline.backends.local_video.LocalVideoBackend",
        REPLICATE_API_TOKEN,
    ),
    "compositing": (
        "media_pipeline.backends.replicate_media.ReplicateCompositingBackend",
        "media_pipeline.backends.local_compositing.LocalCompositingBackend",
        REPLICATE_API_TOKEN,
    ),
    "audio": (
        "media_pipeline.backends.replicate_media.ReplicateAudioBackend",
        "media_pipeline.backends.local_audio.LocalAudioBackend",
        REPLICATE_API_TOKEN,
    ),
    "cutout": (
        "media_pipeline.backends.replicate_media.ReplicateCutoutBackend",
        "media_pipeline.backends.local_cutout.LocalCutoutBackend",
        REPLICATE_API_TOKEN,
    ),
    "capture": (
        "media_pipeline.backends.modal_capture.ModalCaptureBackend",
        "media_pipeline.backends.local_capture.LocalCaptureBackend",
        MODAL_TOKEN_ID,
    ),
}


def choose_backend(capability: str) -> str:
    """`<CAPABILITY>_BACKEND` forces `real`, `local` or a dotted path; else real when its key is set."""
    real, local, key = BACKENDS[capability]
    forced = env_str(f"{capability.upper()}_BACKEND")
    if forced in ("", "auto"):
        return real if key else local
    return {"real": real, "local": local}.get(forced, forced)


MEDIA_PIPELINE = {
    capability: {"BACKEND": choose_backend(capability), "OPTIONS": {}} for capability in BACKENDS
}

# Estimated US$ per unit, for the usage admin. Units: text per 1M tokens, others per second.
PROVIDER_PRICES = {
    "gpt-4o": {"input_per_million": 2.50, "output_per_million": 10.00},
    "gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60},
    "replicate": {"per_second": 0.000725},
    # Modal's list prices per GPU-second; the capture's cost is its GPU seconds times these.
    "modal": {"T4": 0.000164, "A10G": 0.000306, "cpu_per_second": 0.0000131},
}

# --- Product limits -----------------------------------------------------------------

RATE_LIMITS = {
    "chat": (env_int("RATE_LIMIT_CHAT_PER_MINUTE", 20), 60),
    "generation": (env_int("RATE_LIMIT_GENERATION_PER_MINUTE", 10), 60),
    # Creating and duplicating projects share one bucket: both add a project.
    "projects": (env_int("RATE_LIMIT_PROJECTS_PER_MINUTE", 10), 60),
}

# --- Operations (the admin's metrics, moderation, budgets) ----------------------------

# What a user may spend a month unless the admin gives them their own budget (US$).
MONTHLY_BUDGET_USD = env_str("MONTHLY_BUDGET_USD", "20")
# `auto` (OpenAI's moderation endpoint when OPENAI_API_KEY is set), `openai`, `local`, or a path.
MODERATION_BACKEND = env_str("MODERATION_BACKEND", "auto")
# The local rule set: words and phrases refused (whole words, any case). Comma-separated.
MODERATION_WORDS = env_list(
    "MODERATION_WORDS", "behead,child porn,kill yourself,nazi propaganda,terrorist attack"
)
METRICS_FAILURE_RATE_WARNING = float(env_str("METRICS_FAILURE_RATE_WARNING", "0.2"))
METRICS_QUEUE_AGE_WARNING_MINUTES = env_int("METRICS_QUEUE_AGE_WARNING_MINUTES", 10)
