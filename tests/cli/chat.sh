#!/usr/bin/env bash
# tessera-cli chat through the real binary, fed from a pipe: replies stream, a second turn
# reuses the first turn's tokens, /regen recomputes only the last prompt token, bad
# options are one-line errors. With ../shared: the Llama-3.1 template model's greedy reply.
set -u
cli=$1 work=$2 shared=${3:-}
source "$(dirname "$0")/lib/expect.bash"

printf 'I dream\nof the light\n' | "$cli" chat -m "$model" -n 6 -t 1 >"$work/out" 2>"$work/err"; rc=$?
stats=$(grep -c '^\[.*prompt tokens, .* reused' "$work/err")
expect "two turns answered" "$([ $rc -eq 0 ] && [ "$stats" -eq 2 ] && echo yes)" "rc=$rc $(cat "$work/err")"
reused=$(grep '^\[.*prompt tokens' "$work/err" | sed -n 2p | sed -E 's/.*, ([0-9]+) reused.*/\1/')
expect "second turn reuses the first" "$([ "${reused:-0}" -gt 0 ] && echo yes)" "$(cat "$work/err")"
expect "replies streamed" "$([ "$(grep -c . "$work/out")" -ge 1 ] && echo yes)" "$(cat "$work/out")"

printf 'I dream\n/regen\n' | "$cli" chat -m "$model" -n 6 -t 1 >"$work/out" 2>"$work/err"
prefilled=$(grep '^\[.*prompt tokens' "$work/err" | sed -n 2p | sed -E 's/.* ([0-9]+) prefilled.*/\1/')
expect "/regen prefills one token" "$([ "${prefilled:-x}" = 1 ] && echo yes)" "$(cat "$work/err")"

bad=$("$cli" chat -m "$model" --top-p 2 </dev/null 2>&1); rc=$?
expect "bad top-p is an error" "$([ $rc -ne 0 ] && grep -q '^error: .*top-p' <<<"$bad" && echo yes)" "$bad"
bad=$("$cli" chat -m "$model" --reasoning maybe </dev/null 2>&1); rc=$?
expect "bad --reasoning is an error" "$([ $rc -ne 0 ] && grep -q '^error: --reasoning takes on or off' <<<"$bad" && echo yes)" "$bad"

l3="$shared/fixtures/models/nas-l3vocab-q8_0.gguf"
if [ -f "$l3" ]; then
  out=$(printf 'Hello, who are you? Tell me about NAS-pruned models.\n' | "$cli" chat -m "$l3" -n 4 -c 256 -t 2 2>"$work/err")
  # The reference greedy ids (reference/nas-l3vocab-q8_0.json) are 271 ("\n\n") then 33382 (" Racing") x3.
  expect "llama3 template greedy reply" "$([[ "$out" == $'\n\n Racing Racing Racing'* ]] && echo yes)" "$(printf '%q' "$out")"
  expect "model's own template used" "$(grep -q '^\[llama3 template;' "$work/err" && echo yes)" "$(head -1 "$work/err")"
else
  echo "skip: $l3 absent (../shared not beside the checkout)"
fi

finish
