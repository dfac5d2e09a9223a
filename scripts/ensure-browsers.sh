#!/usr/bin/env bash
# Makes sure the two browsers the browser tests drive are installed: Chromium and
# Firefox ESR from the system's Debian packages. Nothing here downloads a browser
# build of its own. Paths can be overridden with CHROMIUM_BIN and FIREFOX_BIN.
set -euo pipefail

chromium_bin="${CHROMIUM_BIN:-/usr/bin/chromium}"
firefox_bin="${FIREFOX_BIN:-/usr/bin/firefox-esr}"

missing=()
[ -x "$chromium_bin" ] || missing+=(chromium)
[ -x "$firefox_bin" ] || missing+=(firefox-esr)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "live-session: installing ${missing[*]} for the browser tests (apt-get)..."

if ! command -v apt-get >/dev/null 2>&1; then
  echo "live-session: cannot install ${missing[*]}: apt-get is not available." >&2
  echo "  Install Chromium and Firefox ESR yourself and set CHROMIUM_BIN / FIREFOX_BIN." >&2
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

for bin in "$chromium_bin" "$firefox_bin"; do
  if [ ! -x "$bin" ]; then
    echo "live-session: $bin is still missing after the install." >&2
    exit 1
  fi
done
echo "live-session: browsers ready."
