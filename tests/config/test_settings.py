import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 24 + "a-long-random-production-secret-for-the-check",
    "ALLOWED_HOSTS": "reelsmith.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://reelsmith.example.com",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = manage("check", env={**env, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_database_url_selects_postgresql():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        env={"DATABASE_URL": "postgres://u:p@db.example.com:5432/reelsmith"},
    )
    assert result.stdout.strip().endswith("django.db.backends.postgresql")


def test_s3_bucket_switches_media_to_s3_storage():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.core.files.storage import default_storage as s; s._setup(); print(type(s._wrapped).__name__, s.bucket_name)",
        env={"S3_BUCKET": "reels", "S3_ENDPOINT_URL": "http://127.0.0.1:9"},
    )
    assert "S3Storage reels" in result.stdout, result.stderr


def test_a_provider_key_selects_the_real_backend_and_local_can_be_forced():
    show = "from django.conf import settings; print(settings.MEDIA_PIPELINE['text']['BACKEND'], settings.MEDIA_PIPELINE['image']['BACKEND'])"
    real = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        show,
        env={"OPENAI_API_KEY": "sk-test", "REPLICATE_API_TOKEN": "r8_test"},
    )
    assert real.stdout.split() == [
        "media_pipeline.backends.openai_text.OpenAITextBackend",
        "media_pipeline.backends.replicate_media.ReplicateImageBackend",
    ]
    forced = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        show,
        env={"OPENAI_API_KEY": "sk-test", "TEXT_BACKEND": "local", "REPLICATE_API_TOKEN": ""},
    )
    assert forced.stdout.split() == [
        "media_pipeline.backends.local_text.LocalTextBackend",
        "media_pipeline.backends.local_image.LocalImageBackend",
    ]


def test_a_variable_set_but_empty_falls_back_to_its_default(monkeypatch):
    from config.env import env_str

    monkeypatch.setenv("REELSMITH_TEST_EMPTY", "")
    assert env_str("REELSMITH_TEST_EMPTY", "fallback") == "fallback"
    monkeypatch.setenv("REELSMITH_TEST_EMPTY", "given")
    assert env_str("REELSMITH_TEST_EMPTY", "fallback") == "given"
