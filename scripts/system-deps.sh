#!/usr/bin/env bash
# Make sure the Debian packages careleaf needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the one
# command to run and carries on, so a build can still go ahead where it can.
set -u
packages=(
  libpango-1.0-0 libpangoft2-1.0-0   # WeasyPrint's text layout
  libharfbuzz-subset0                # font subsetting in C: PDFs write ~7x faster
  fonts-open-sans fonts-dejavu-core  # the leaflet typefaces, embedded in every PDF
  fonts-noto-core fonts-noto-cjk     # Arabic, Hebrew and other scripts; Chinese and Japanese
  default-jre-headless               # Java for EPUBCheck
  chromium                           # headless browser: `careleaf serve` tests, DAISY Ace
  ghostscript                        # its CMYK profile is print-shop files' default press
                                     # profile; the tests render print-shop files with gs
  qpdf                               # the tests check print-shop files' structure
)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Debian splits venv support out of its python3; other Pythons (pyenv, uv) carry it.
if ! "${PYTHON:-python3}" -c "import ensurepip, venv" >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
# Any Java 11+ will do for EPUBCheck; do not pull in another one.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/default-jre-headless/}")
fi
# Node.js and npm install and run DAISY Ace (scripts/ace); keep a Node that is already there.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
read -r -a missing <<< "${missing[*]}"
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "careleaf: please install these system packages: ${missing[*]}" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "careleaf: missing system packages; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "careleaf: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
