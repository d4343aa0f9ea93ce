# Shared by scripts/start and scripts/test: create .venv and install the project when
# pyproject.toml changed since the last install (so a second run starts in seconds).
set -euo pipefail
ensure_venv() {
  local extras="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv ..."
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed-${extras:-base}"
  local wanted
  wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
  # An install with extras (scripts/test's) includes every base dependency.
  if [ -z "$extras" ]; then
    local other
    for other in .venv/.installed-*; do
      if [ -f "$other" ] && [ "$(cat "$other")" = "$wanted" ]; then return 0; fi
    done
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Installing dependencies ..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    if [ -n "$extras" ]; then
      .venv/bin/python -m pip install --quiet -e ".[$extras]"
    else
      .venv/bin/python -m pip install --quiet -e .
    fi
    echo "$wanted" > "$stamp"
  fi
}
