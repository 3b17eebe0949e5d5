#!/usr/bin/env bash
# Conformance of `tessera-cli serve` with the official `openai` npm package (installed in
# build/npm by packaging/setup.sh test): streaming and non-streaming chat completions, a
# text completion, models, OpenAI error classes. Required: a missing package fails.
set -u
cli=$1 work=$2 shared=${3:-}
source "$(dirname "$0")/lib/expect.bash"
source "$(dirname "$0")/lib/serve.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${TESSERA_NPM_PREFIX:-$root/build/npm}
if ! command -v node >/dev/null; then
  echo "FAIL: node is not installed (packaging/setup.sh installs nodejs and npm)"; exit 1
fi
if [ ! -f "$prefix/node_modules/openai/package.json" ]; then
  echo "FAIL: the openai npm package is not installed in $prefix (run packaging/setup.sh test, which runs npm install)"; exit 1
fi
if ! start_server; then
  echo "FAIL: the server did not start: $(cat "$work/server.out" "$work/server.err")"; exit 1
fi
node "$root/tests/cli/openai_client.mjs" "$base/v1" "$token" "$prefix"; rc=$?
expect "openai client checks" "$([ $rc -eq 0 ] && echo yes)" "exit status $rc"
stop_server
expect "SIGTERM stops the server cleanly" "$stopped" "$(cat "$work/server.err")"
finish
