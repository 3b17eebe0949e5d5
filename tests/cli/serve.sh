#!/usr/bin/env bash
# tessera-cli serve through curl on the bundled model: /v1/models, chat and text
# completions streamed and not with consistent usage, and the security and validation
# cases of RELIABILITY.md A1-A8, A11: wrong Host, empty Host, an Origin, no or a wrong
# token, a non-JSON body, out-of-range numbers, n=2, a body over the limit, bad JSON,
# unknown paths; the same port on ::1; CORS preflights; then SIGTERM stops the server.
set -u
cli=$1 work=$2 shared=${3:-}
source "$(dirname "$0")/lib/expect.bash"
source "$(dirname "$0")/lib/serve.bash"
if ! command -v curl >/dev/null; then echo "FAIL: curl is not installed"; exit 1; fi

if ! start_server --allow-origin http://app.example; then
  echo "FAIL: the server did not start: $(cat "$work/server.out" "$work/server.err")"; exit 1
fi
auth="Authorization: Bearer $token"
json="Content-Type: application/json"
# call NAME [CURL ARGS] -> writes the body to $work/NAME.body and prints the status code
call() { local name=$1; shift; curl -s -o "$work/$name.body" -w '%{http_code}' "$@"; }
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(eval("j"+process.argv[1]))})' "$1"; }
# Checks an OpenAI error: status, and the body's error.type/param in shape.
expect_error() {  # expect_error NAME STATUS-GOT STATUS-WANTED [PARAM]
  local ok=no body; body=$(cat "$work/$1.body")
  if [ "$2" = "$3" ] && [ "$(field '.error.message!==undefined && "type" in j.error && "code" in j.error && "param" in j.error' <"$work/$1.body" 2>/dev/null)" = true ]; then
    ok=yes
    [ -n "${4:-}" ] && [ "$(field '.error.param' <"$work/$1.body")" != "$4" ] && ok=no
  fi
  expect "$1 -> $3${4:+ (param $4)}" "$ok" "status $2, body $body"
}

grep -q '^listening on http://127.0.0.1:' "$work/server.out"
expect "binds 127.0.0.1 by default" "$([ $? -eq 0 ] && echo yes)" "$(cat "$work/server.out")"
# ...and ::1 on the same port, unless this machine has no IPv6 loopback (then it says so).
if grep -q 'no IPv6 loopback' "$work/server.err"; then
  echo "SKIP: the [::1] check: this machine has no IPv6 loopback ($(cat "$work/server.err" | grep 'IPv6'))"
else
  s=$(call v6 -g -H "$auth" "http://[::1]:$port/v1/models")
  expect "binds [::1] on the same port; Host [::1]:PORT allowed" "$([ "$s" = 200 ] && grep -qx "listening on http://\[::1\]:$port" "$work/server.out" && echo yes)" "$s $(cat "$work/server.out" "$work/v6.body")"
  s=$(call v6_bad_host -g -H "Host: evil.example" -H "$auth" "http://[::1]:$port/v1/models"); expect_error v6_bad_host "$s" 403
fi

s=$(call models -H "$auth" "$base/v1/models")
expect "/v1/models lists the model" "$([ "$s" = 200 ] && [ "$(field '.data[0].id' <"$work/models.body")" = aidreams260K-f32 ] && echo yes)" "$s $(cat "$work/models.body")"

s=$(call chat -H "$auth" -H "$json" -d '{"model":"aidreams260K-f32","messages":[{"role":"user","content":"I dream"}],"max_tokens":12,"seed":7}' "$base/v1/chat/completions")
text=$(field '.choices[0].message.content' <"$work/chat.body" 2>/dev/null)
usage_ok=$(node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8"));const u=j.usage;console.log(u.prompt_tokens>0&&u.completion_tokens>0&&u.completion_tokens<=12&&u.total_tokens===u.prompt_tokens+u.completion_tokens)' <"$work/chat.body" 2>/dev/null)
expect "chat completion has text" "$([ "$s" = 200 ] && [ -n "$text" ] && echo yes)" "$s $(cat "$work/chat.body")"
expect "chat completion usage is consistent" "$([ "$usage_ok" = true ] && echo yes)" "$(cat "$work/chat.body")"
expect "chat completion object and role" "$([ "$(field '.object' <"$work/chat.body")" = chat.completion ] && [ "$(field '.choices[0].message.role' <"$work/chat.body")" = assistant ] && echo yes)" "$(cat "$work/chat.body")"

s=$(call stream -N -H "$auth" -H "$json" -d '{"messages":[{"role":"user","content":"I dream"}],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true}}' "$base/v1/chat/completions")
last=$(grep -v '^$' "$work/stream.body" | tail -1)
deltas=$(grep '^data: {' "$work/stream.body" | node -e '
  const lines=require("fs").readFileSync(0,"utf8").trim().split("\n").map(l=>JSON.parse(l.slice(6)));
  const text=lines.map(c=>c.choices[0]?.delta?.content??"").join("");
  const fin=lines.filter(c=>c.choices[0]?.finish_reason).length;
  const u=lines[lines.length-1].usage;
  console.log(text.length>0 && fin===1 && u.completion_tokens>0 && u.total_tokens===u.prompt_tokens+u.completion_tokens ? "ok" : "bad")' 2>&1)
expect "stream ends with data: [DONE]" "$([ "$s" = 200 ] && [ "$last" = 'data: [DONE]' ] && echo yes)" "$s $(tail -3 "$work/stream.body")"
expect "stream has text, one finish_reason and a usage chunk" "$([ "$deltas" = ok ] && echo yes)" "$deltas $(cat "$work/stream.body")"

s=$(call completion -H "$auth" -H "$json" -d '{"prompt":"Once upon a time","max_tokens":6}' "$base/v1/completions")
expect "text completion" "$([ "$s" = 200 ] && [ "$(field '.object' <"$work/completion.body")" = text_completion ] && [ "$(field '.usage.completion_tokens' <"$work/completion.body")" -gt 0 ] && echo yes)" "$s $(cat "$work/completion.body")"

body='{"messages":[{"role":"user","content":"hi"}],"max_tokens":2}'
s=$(call no_token -H "$json" -d "$body" "$base/v1/chat/completions"); expect_error no_token "$s" 401
s=$(call wrong_token -H "Authorization: Bearer serve-test-token-0123456789abcdeX" -H "$json" -d "$body" "$base/v1/chat/completions"); expect_error wrong_token "$s" 401
s=$(call models_no_token "$base/v1/models"); expect_error models_no_token "$s" 401
s=$(call bad_host -H "Host: evil.example" -H "$auth" "$base/v1/models"); expect_error bad_host "$s" 403
s=$(call host_other_port -H "Host: 127.0.0.1:1" -H "$auth" "$base/v1/models"); expect_error host_other_port "$s" 403
s=$(call empty_host -H "Host:" -H "$auth" "$base/v1/models"); expect_error empty_host "$s" 403
s=$(call localhost_host -H "Host: localhost:$port" -H "$auth" "$base/v1/models")
expect "Host localhost:PORT allowed" "$([ "$s" = 200 ] && echo yes)" "$s"
s=$(call origin -D "$work/origin.headers" -H "Origin: http://evil.example" -H "$auth" "$base/v1/models"); expect_error origin "$s" 403
expect "no CORS header for a refused Origin" "$(grep -qi '^access-control-allow-origin' "$work/origin.headers" || echo yes)" "$(cat "$work/origin.headers")"
# CORS: a preflight (no token) from an allow-listed origin gets that exact origin back,
# never "*"; a foreign origin's preflight gets 403 and no CORS header at all.
s=$(call preflight -X OPTIONS -D "$work/preflight.headers" -H "Origin: http://app.example" -H "Access-Control-Request-Method: POST" -H "Access-Control-Request-Headers: authorization, content-type" "$base/v1/chat/completions")
h=$(tr -d '\r' <"$work/preflight.headers")
expect "preflight from an allowed origin: 204, that exact origin, POST and Authorization allowed" "$([ "$s" = 204 ] && grep -qix 'access-control-allow-origin: http://app.example' <<<"$h" && grep -qi '^access-control-allow-methods:.*POST' <<<"$h" && grep -qi '^access-control-allow-headers:.*authorization' <<<"$h" && echo yes)" "$s $h"
s=$(call preflight_foreign -X OPTIONS -D "$work/preflight_foreign.headers" -H "Origin: http://evil.example" -H "Access-Control-Request-Method: POST" "$base/v1/chat/completions"); expect_error preflight_foreign "$s" 403
expect "no CORS header for a foreign preflight" "$(grep -qi '^access-control-' "$work/preflight_foreign.headers" || echo yes)" "$(cat "$work/preflight_foreign.headers")"
s=$(call allowed_origin -D "$work/allowed_origin.headers" -H "Origin: http://app.example" -H "$auth" "$base/v1/models")
expect "a request from an allowed origin gets that origin back" "$([ "$s" = 200 ] && tr -d '\r' <"$work/allowed_origin.headers" | grep -qix 'access-control-allow-origin: http://app.example' && echo yes)" "$s $(cat "$work/allowed_origin.headers")"

s=$(call text_plain -H "$auth" -H "Content-Type: text/plain" -d "$body" "$base/v1/chat/completions"); expect_error text_plain "$s" 415
s=$(call temperature -H "$auth" -H "$json" -d '{"messages":[{"role":"user","content":"hi"}],"temperature":-1}' "$base/v1/chat/completions"); expect_error temperature "$s" 400 temperature
s=$(call top_p -H "$auth" -H "$json" -d '{"messages":[{"role":"user","content":"hi"}],"top_p":1.5}' "$base/v1/chat/completions"); expect_error top_p "$s" 400 top_p
s=$(call max_tokens -H "$auth" -H "$json" -d '{"messages":[{"role":"user","content":"hi"}],"max_tokens":-5}' "$base/v1/chat/completions"); expect_error max_tokens "$s" 400 max_tokens
s=$(call temperature_string -H "$auth" -H "$json" -d '{"messages":[{"role":"user","content":"hi"}],"temperature":"hot"}' "$base/v1/chat/completions"); expect_error temperature_string "$s" 400 temperature
s=$(call n2 -H "$auth" -H "$json" -d '{"messages":[{"role":"user","content":"hi"}],"n":2}' "$base/v1/chat/completions"); expect_error n2 "$s" 400 n
s=$(call stop_list -H "$auth" -H "$json" -d '{"messages":[{"role":"user","content":"hi"}],"stop":["a",3]}' "$base/v1/chat/completions"); expect_error stop_list "$s" 400 stop
s=$(call no_messages -H "$auth" -H "$json" -d '{"messages":[]}' "$base/v1/chat/completions"); expect_error no_messages "$s" 400 messages
s=$(call bad_json -H "$auth" -H "$json" -d '{"messages": [' "$base/v1/chat/completions"); expect_error bad_json "$s" 400
printf '{"messages":[{"role":"user","content":"\xff\xfe"}]}' >"$work/bad_utf8.json"
s=$(call bad_utf8 -H "$auth" -H "$json" --data-binary @"$work/bad_utf8.json" "$base/v1/chat/completions"); expect_error bad_utf8 "$s" 400
s=$(call wrong_model -H "$auth" -H "$json" -d '{"model":"gpt-4","messages":[{"role":"user","content":"hi"}]}' "$base/v1/chat/completions"); expect_error wrong_model "$s" 404 model
head -c 2000000 /dev/zero | tr '\0' ' ' >"$work/big.json"
s=$(call too_big -H "$auth" -H "$json" --data-binary @"$work/big.json" "$base/v1/chat/completions"); expect_error too_big "$s" 413
s=$(call unknown_path -H "$auth" "$base/v1/nothing"); expect_error unknown_path "$s" 404

# A11: the same port again is a clear error.
out=$("$cli" serve -m "$model" --port "$port" --token "$token" 2>&1 </dev/null); rc=$?
expect "port in use is a clear error" "$([ $rc -ne 0 ] && grep -q "^error: cannot listen on 127.0.0.1:$port" <<<"$out" && echo yes)" "rc=$rc $out"

# --host chosen explicitly: that address only, no ::1 beside it.
"$cli" serve -m "$model" --host 127.0.0.1 --port 0 --token "$token" -t 1 -c 256 >"$work/v4only.out" 2>&1 &
v4pid=$!
for _ in $(seq 1 300); do grep -q '^listening on' "$work/v4only.out" && break; kill -0 $v4pid 2>/dev/null || break; sleep 0.1; done
expect "--host 127.0.0.1 listens there only" "$([ "$(grep -c '^listening on' "$work/v4only.out")" = 1 ] && grep -q '^listening on http://127.0.0.1:' "$work/v4only.out" && echo yes)" "$(cat "$work/v4only.out")"
kill -TERM $v4pid; wait $v4pid

stop_server
expect "SIGTERM stops the server cleanly" "$stopped" "$(cat "$work/server.err")"
expect "server no longer listening" "$(curl -s -o /dev/null -H "$auth" "$base/v1/models" || echo yes)" "still answering on $port"

out=$("$cli" serve -m "$model" --port 0 --bogus 2>&1 </dev/null); rc=$?
expect "unknown option is an error" "$([ $rc -ne 0 ] && grep -q '^error: ' <<<"$out" && echo yes)" "$out"

finish
