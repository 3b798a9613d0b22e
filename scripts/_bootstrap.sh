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
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
