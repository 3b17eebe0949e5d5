# Sourced by the tests that drive `tessera-cli serve` (serve.sh, serve_openai.sh): starts
# the server on the bundled model on a free loopback port with a known token, waits for
# its "listening on" line, and sets $port, $base, $token and $server_pid; stop_server stops it
# with SIGTERM and sets $stopped to whether it exited cleanly.
token=serve-test-token-0123456789abcdef
start_server() {  # start_server [EXTRA SERVE ARGS]
  "$cli" serve -m "$model" --port 0 --token "$token" -t 1 -c 256 "$@" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  port=
  for _ in $(seq 1 300); do  # a bound on how long to wait, not a timing check
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$work/server.out")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  base=http://127.0.0.1:$port
  [ -n "$port" ]
}
stop_server() {  # sets $stopped to "yes" when the server exited on SIGTERM with status 0
  kill -TERM "$server_pid" 2>/dev/null
  wait "$server_pid"; local rc=$?  # not in $(...): a subshell cannot wait for it
  stopped=no; [ $rc -eq 0 ] && stopped=yes
}
