"""Production behind a TLS proxy: ``check --deploy`` is clean, and HTTPS, HSTS and the session's
lifetime come from the environment (README "Configuration")."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Everything that could reach the subprocess from this shell's environment and change the result.
OURS = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "JITRACK_TESTING",
    "JITRACK_VAR_DIR",
    "SECURE_COOKIES",
    "BEHIND_TLS_PROXY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_IDLE_MINUTES",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
)
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "kq3-v9x!p2#zr8w@d5m$t7y^b1n&c4h*f6j(l0s)g+u=e_a%i-o",
    "ALLOWED_HOSTS": "jitrack.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://jitrack.example.org",
    "SITE_URL": "https://jitrack.example.org",
    "BEHIND_TLS_PROXY": "1",
}
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_AGE, "
    "s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SESSION_COOKIE_SECURE, sep='|')"
)


def run(tmp_path, args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    clean |= {
        "DJANGO_SETTINGS_MODULE": "jitrack.settings",
        "JITRACK_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_behind_a_tls_proxy(tmp_path):
    result = run(
        tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_names_what_plain_http_lacks(tmp_path):
    # The same production settings without the proxy: Django's own warnings say what is missing.
    env = PRODUCTION | {"BEHIND_TLS_PROXY": "0"}
    result = run(tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008"):
        assert warning in result.stderr


def test_settings_behind_a_tls_proxy_default_to_https_and_a_year_of_hsts(tmp_path):
    result = run(tmp_path, ["-c", PROBE], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "True",
        "31536000",
        "True",
        "True",
        str(8 * 3600),
        "True",
        "True",
    ]


def test_settings_https_hsts_and_session_lifetime_come_from_the_environment(tmp_path):
    env = PRODUCTION | {
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0",
        "SECURE_HSTS_PRELOAD": "0",
        "SESSION_IDLE_MINUTES": "30",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": "0",
    }
    result = run(tmp_path, ["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "False",
        "3600",
        "False",
        "False",
        "1800",
        "False",
        "True",
    ]


def test_settings_without_a_proxy_trust_no_forwarded_header(tmp_path):
    result = run(tmp_path, ["-c", PROBE], DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|")[:5] == ["None", "False", "0", "True", "False"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be a whole number"),
        ({"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS must be at least 0"),
        ({"BEHIND_TLS_PROXY": "perhaps"}, "BEHIND_TLS_PROXY must be 1 or 0"),
        ({"SECURE_SSL_REDIRECT": "always"}, "SECURE_SSL_REDIRECT must be 1 or 0"),
        ({"SESSION_IDLE_MINUTES": "1"}, "SESSION_IDLE_MINUTES must be at least 5"),
        ({"SESSION_EXPIRE_AT_BROWSER_CLOSE": "x"}, "SESSION_EXPIRE_AT_BROWSER_CLOSE must be 1"),
    ],
)
def test_settings_bad_https_or_session_value_stops_startup(tmp_path, env, message):
    result = run(tmp_path, ["-c", PROBE], **(PRODUCTION | env))
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert message in last_line
