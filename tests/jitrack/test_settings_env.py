"""Settings from the environment: a bad value stops start-up with a message naming the
variable (STYLE habit 8); a good configuration loads."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "UPLOAD_MAX_MB",
    "DEADLINE_SWEEP_SECONDS",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_USE_TLS",
    "JITRACK_TESTING",
    "JITRACK_VAR_DIR",
    "SECURE_COOKIES",
)
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.UPLOAD_MAX_BYTES, settings.DATABASES['default']['ENGINE'], "
    "settings.CELERY_BROKER_URL, settings.ALLOWED_HOSTS)"
)


def start(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    clean |= {
        "DJANGO_SETTINGS_MODULE": "jitrack.settings",
        "JITRACK_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be 1 or 0 (got 'maybe')"),
        ({"DEBUG": "1", "UPLOAD_MAX_MB": "abc"}, "UPLOAD_MAX_MB must be a whole number"),
        ({"DEBUG": "1", "UPLOAD_MAX_MB": "0"}, "UPLOAD_MAX_MB must be at least 1"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense://"}, "DATABASE_URL is not a valid"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "0", "SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "1", "CELERY_BROKER_URL": "amqp://guest@localhost//"}, "CELERY_BROKER_URL"),
        ({"DEBUG": "1", "DEADLINE_SWEEP_SECONDS": "abc"}, "DEADLINE_SWEEP_SECONDS must be"),
        ({"DEBUG": "1", "DEADLINE_SWEEP_SECONDS": "0"}, "DEADLINE_SWEEP_SECONDS must be"),
        ({"DEBUG": "1", "EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a whole number"),
        ({"DEBUG": "1", "EMAIL_USE_TLS": "sometimes"}, "EMAIL_USE_TLS must be 1 or 0"),
    ],
    ids=lambda value: value if isinstance(value, str) else ",".join(value),
)
def test_settings_bad_value_stops_startup_naming_the_variable(tmp_path, env, message):
    result = start(tmp_path, **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert message in last_line


def test_settings_production_config_loads(tmp_path):
    result = start(
        tmp_path,
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret",
        DATABASE_URL="postgres://jitrack:pw@db.example.org:5432/jitrack",
        CELERY_BROKER_URL="redis://redis.example.org:6379/0",
        ALLOWED_HOSTS="jitrack.example.org",
        UPLOAD_MAX_MB="50",
        DEADLINE_SWEEP_SECONDS="30",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        str(50 * 1024 * 1024),
        "django.db.backends.postgresql",
        "redis://redis.example.org:6379/0",
        "['jitrack.example.org']",
    ]


def test_settings_embedded_default_loads(tmp_path):
    result = start(tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    debug, upload, engine, broker, *_ = result.stdout.split()
    assert (debug, upload, engine, broker) == (
        "True",
        str(25 * 1024 * 1024),
        "django.db.backends.sqlite3",
        "filesystem://",
    )
    assert (tmp_path / "var" / "celery-broker" / "out").is_dir()
