"""Settings for a Celery worker process started by a test (tests/test_worker_resume.py).

The test passes its database, broker prefix and timings in the environment, so the worker
sees the test's rows and jobs and redelivers a dead worker's job within seconds.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS, MEDIA_PIPELINE
from tests.profiles import SMALL_FRAMES

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ["TEST_VISIBILITY_TIMEOUT"]),
    "unacked_restore_interval": 1,
    "global_keyprefix": os.environ["TEST_BROKER_PREFIX"],
}
JOB_MAX_COUNTDOWN_SECONDS = 1
QUALITY_PROFILE = dict(SMALL_FRAMES)
MEDIA_ROOT = os.environ["TEST_MEDIA_ROOT"]
MEDIA_PIPELINE = {
    **MEDIA_PIPELINE,
    "image": {
        "BACKEND": "tests.fakes.image.ScriptedImageBackend",
        "OPTIONS": {"delay": float(os.environ["TEST_IMAGE_DELAY"])},
    },
}
