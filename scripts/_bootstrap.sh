# Shared by scripts/run and scripts/test (sourced, not executed).
# Creates .venv when missing and installs the pinned dependencies; skips the install when the
# stamp for the requested extras is newer than pyproject.toml and requirements.lock.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "jitrack needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

fresh() {  # fresh STAMP: the stamp exists and is newer than both dependency files
    [ -f "$1" ] && [ "$1" -nt "$ROOT/pyproject.toml" ] && [ "$1" -nt "$ROOT/requirements.lock" ]
}

# ensure_venv [extras]   e.g. ensure_venv "" or ensure_venv test
ensure_venv() {
    local extras="${1:-}" stamp target python
    if [ ! -x "$PY" ]; then
        python="$(find_python)"
        say "creating $VENV with $python"
        if ! "$python" -m venv "$VENV"; then
            # Debian splits venv/ensurepip out of the interpreter package.
            rm -rf "$VENV"
            ensure_debian_packages "python3-venv"
            "$python" -m venv "$VENV"
        fi
    fi
    stamp="$VENV/.jitrack-installed${extras:+-$extras}"
    fresh "$stamp" && return 0
    # The test install includes everything the plain one does.
    [ -z "$extras" ] && fresh "$VENV/.jitrack-installed-test" && return 0
    target="."
    [ -n "$extras" ] && target=".[$extras]"
    say "installing dependencies ($target, pinned by requirements.lock)"
    (
        cd "$ROOT"
        "$PY" -m pip install --quiet --disable-pip-version-check -c requirements.lock -e "$target"
    )
    touch "$stamp"
}

# Debian packages needed; installs them when running as root, else says what to install.
ensure_debian_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "not a Debian system: install the equivalent of: ${missing[*]}"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        say "missing Debian packages; run: sudo apt-get install -y ${missing[*]}"
        return 0
    fi
    say "installing Debian packages: ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
}

# apt_get ARGS...: apt-get ARGS, quiet unless it fails. While another apt-get (or dpkg,
# unattended-upgrades) holds the package database's lock, waits and tries again every
# APT_LOCK_POLL seconds (5), for at most APT_LOCK_WAIT seconds (600), instead of failing at once.
apt_get() {
    local waited=0 limit="${APT_LOCK_WAIT:-600}" poll="${APT_LOCK_POLL:-5}" out status holder
    while :; do
        status=0
        out="$(DEBIAN_FRONTEND=noninteractive apt-get "$@" 2>&1)" || status=$?
        [ "$status" -eq 0 ] && return 0
        if ! grep -qE 'Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock' <<<"$out"; then
            printf '%s\n' "$out" >&2
            return "$status"
        fi
        if [ "$waited" -ge "$limit" ]; then
            printf '%s\n' "$out" >&2
            say "another apt-get still holds the package database after ${limit}s: giving up (APT_LOCK_WAIT sets the wait)"
            return "$status"
        fi
        if [ "$waited" -eq 0 ]; then
            holder="$(grep -oE 'held by process [0-9]+( \([^)]*\))?' <<<"$out" | head -n 1 || true)"
            say "waiting for another apt-get to finish… (the package database is locked${holder:+, $holder}; up to ${limit}s)"
        elif [ $((waited % 30)) -lt "$poll" ]; then
            say "still waiting for the package database (${waited}s)…"
        fi
        sleep "$poll"
        waited=$((waited + (poll > 0 ? poll : 1)))
    done
}

# The Pango libraries WeasyPrint loads (determination reports are rendered to PDF).
weasyprint_packages() {
    local pkgs=(libpango-1.0-0 libpangoft2-1.0-0) candidate
    if command -v apt-cache >/dev/null 2>&1; then
        candidate="$(apt-cache policy libharfbuzz-subset0 2>/dev/null | awk '/Candidate:/ {print $2}')"
        if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
            pkgs+=(libharfbuzz-subset0)
        fi
    fi
    printf '%s\n' "${pkgs[@]}"
}
