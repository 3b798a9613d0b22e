# jitrack: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JITRACK_VAR_DIR=/app/var

# Pango + HarfBuzz for WeasyPrint (determination reports as PDF), a font to render them with,
# and curl for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin jitrack

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock .

COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R jitrack:jitrack /app/var

USER jitrack
EXPOSE 8000
CMD ["gunicorn", "jitrack.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
