#!/usr/bin/env bash
# Idempotent set-up: Debian packages, a virtual environment, the Python dependencies.
# Installs what is missing on first use and nothing on later runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Cairo and Pango to build Manim; LaTeX and dvisvgm for MathTex; ffmpeg for
# joining and probing videos; festival (with the HTS voice) and espeak-ng to speak.
APT_PACKAGES=(
  libcairo2-dev libpango1.0-dev pkg-config ffmpeg fonts-dejavu-core
  texlive-latex-base texlive-latex-extra dvisvgm
  festival festvox-us-slt-hts espeak-ng sox
)

say() { printf '[setup] %s\n' "$*" >&2; }

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
  done
else
  say "no dpkg-query: this set-up knows Debian's packages only."
  say "install the equivalents of: ${APT_PACKAGES[*]}, then run again with GDE_SKIP_APT=1"
  [[ "${GDE_SKIP_APT:-0}" == 1 ]] || exit 1
fi

if ((${#missing[@]})) && [[ "${GDE_SKIP_APT:-0}" != 1 ]]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]}"
    bash -c "$cmd" >&2
  else
    say "missing Debian packages: ${missing[*]}"
    say "run this as root, then run the same command again:"
    printf '  sudo bash -c "%s"\n' "$cmd" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Python >= 3.11 is needed; set PYTHON=/path/to/python3.11 and run again."
    exit 1
  fi
  say "creating the virtual environment .venv"
  "$PYTHON" -m venv .venv || {
    say "could not create a venv; on Debian: apt-get install python3-venv"
    exit 1
  }
fi

# Reinstall only when the declared dependencies change.
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [[ ! -e "$stamp" ]]; then
  say "installing Python dependencies into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip >&2
  .venv/bin/python -m pip install --quiet -e ".[dev]" >&2
  rm -f .venv/.installed-*
  touch "$stamp"
fi
