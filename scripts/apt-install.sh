#!/usr/bin/env bash
# apt-install.sh LABEL PACKAGE...: installs the given Debian packages (as root, or with sudo),
# saying so on stderr under LABEL; does nothing when none is given. Callers decide what is missing.
set -euo pipefail
label=$1
shift
(($#)) || exit 0
echo "$label: installing $*" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
