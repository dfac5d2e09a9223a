#!/usr/bin/env bash
# Makes sure the system programs the tests drive are installed, from Debian's
# packages: Chromium and Firefox ESR (browser and end-to-end tests), iproute2
# and nftables (real network faults in the end-to-end suite), Xvfb (a headed
# Firefox sharing its screen in the end-to-end suite), coturn (the TURN relay),
# redis-server (rooms shared between server processes), janus (the SFU of
# large classes), janus-tools (janus-pp-rec, which turns lesson recordings
# into WebM) and webkit2gtk-driver (WebKit's MiniBrowser, a browser without WebRTC). Nothing here
# downloads a browser build of its own. Browser paths can be overridden with
# CHROMIUM_BIN and FIREFOX_BIN.
set -euo pipefail

chromium_bin="${CHROMIUM_BIN:-/usr/bin/chromium}"
firefox_bin="${FIREFOX_BIN:-/usr/bin/firefox-esr}"

# package -> a program it installs (an absolute path, or a name looked up in PATH and /usr/sbin)
declare -A wanted=(
  [chromium]="$chromium_bin"
  [firefox-esr]="$firefox_bin"
  [iproute2]="ip"
  [nftables]="nft"
  [xvfb]="Xvfb"
  [coturn]="turnserver"
  [redis-server]="redis-server"
  [janus]="janus"
  [janus-tools]="janus-pp-rec"
  [webkit2gtk-driver]="WebKitWebDriver"
)

has_program() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

missing=()
for package in "${!wanted[@]}"; do
  has_program "${wanted[$package]}" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "live-session: installing ${missing[*]} for the tests (apt-get)..."

if ! command -v apt-get >/dev/null 2>&1; then
  echo "live-session: cannot install ${missing[*]}: apt-get is not available." >&2
  echo "  Install them yourself (browser paths: CHROMIUM_BIN / FIREFOX_BIN)." >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "live-session: cannot install ${missing[*]}: not root and no password-less sudo." >&2
    echo "  Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get update -qq; then
  echo "live-session: 'apt-get update' failed; check the package sources and network." >&2
  exit 1
fi
if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null; then
  echo "live-session: 'apt-get install ${missing[*]}' failed." >&2
  exit 1
fi

for package in "${missing[@]}"; do
  if ! has_program "${wanted[$package]}"; then
    echo "live-session: ${wanted[$package]} (package $package) is still missing after the install." >&2
    exit 1
  fi
done
echo "live-session: system packages ready."
