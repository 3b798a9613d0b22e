"""Settings for the test suite: the real settings, with test-only conveniences."""

import os

os.environ.setdefault("JITRACK_TESTING", "1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile
    from pathlib import Path

    # A file, not memory, so tests/jitrack/test_celery_live.py can hand the test database to a real
    # worker process; one file per pytest process, so parallel runs in one tree never clash.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"jitrack-test-{os.getpid()}.sqlite3")
    }

# The throttles (projects.accounts) stay on, with room for the tests that post many bodies from
# one address; tests/projects/test_accounts_throttles.py sets small rates.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"comment": "1000/hour", "token": "1000/hour"},
}
