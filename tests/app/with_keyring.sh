#!/bin/sh
# Runs a command the way it runs on a desktop with a secret store: inside a private D-Bus
# session with gnome-keyring's Secret Service, its login keyring unlocked, in a throwaway HOME
# (the user's own keyring is never touched).
set -eu
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset TESSERA_SECRET_STORE
dbus-run-session -- sh -c 'printf "test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$@"' keyring "$@"
