#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-compose.yml mounts it in
# /docker-entrypoint-initdb.d). POSTGRES_USER owns the database and the tables, and runs the
# migrations; the app connects as a role that owns nothing, so it can neither drop nor disable
# the append-only triggers (`python manage.py grant_app_role`, run after migrate, gives it its
# privileges).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" -v app_role="${JITRACK_APP_ROLE:-jitrack}" -v app_password="${JITRACK_APP_PASSWORD:-jitrack}" <<'SQL'
CREATE ROLE :"app_role" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT CONNECT ON DATABASE :"db" TO :"app_role";
SQL
