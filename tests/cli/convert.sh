#!/usr/bin/env bash
# tessera-cli convert through the real binary on the decilm-tiny Hugging Face checkpoint:
# the output loads (info shows the NAS layer map), evaluates, and a damaged checkpoint is a
# one-line error with no output file.
set -u
cli=$1 work=$2 shared=${3:-}
hf="$shared/fixtures/hf/decilm-tiny"
if [ ! -d "$hf" ]; then echo "skip: $hf absent (../shared not beside the checkout)"; exit 77; fi
rm -rf "$work"; mkdir -p "$work"
failures=0 passed=0
expect() {  # expect NAME CONDITION-RESULT DETAIL
  if [ "$2" = yes ]; then passed=$((passed + 1)); echo "ok   $1"; else failures=$((failures + 1)); echo "FAIL $1: $3"; fi
}

"$cli" convert "$hf" -o "$work/tiny.gguf" --type q8_0 -t 2 >"$work/log" 2>&1; rc=$?
expect "convert succeeds" "$([ $rc -eq 0 ] && [ -s "$work/tiny.gguf" ] && echo yes)" "rc=$rc $(cat "$work/log")"
info=$("$cli" info "$work/tiny.gguf" 2>&1)
expect "layer map has every variant" "$(grep -q 'attention: 3 gqa, 1 linear, 2 none; ffn: 4 swiglu, 1 linear, 1 none' <<<"$info" && echo yes)" "$info"
expect "llama3 rope kept" "$(grep -q 'llama3 scaling' <<<"$info" && echo yes)" "$info"
ids=$("$cli" eval -m "$work/tiny.gguf" --tokens 128000,9906,11,889 --logits "$work/l.f32" --greedy 3 2>&1)
expect "converted model evaluates" "$(grep -qE '^[0-9]+(,[0-9]+){2}$' <<<"$ids" && echo yes)" "$ids"

mkdir -p "$work/bad"; cp "$hf"/* "$work/bad/"; chmod u+w "$work/bad"/*
truncate -s 1000 "$work/bad/model.safetensors"
err=$("$cli" convert "$work/bad" -o "$work/bad.gguf" 2>&1); rc=$?
expect "damaged checkpoint: one-line error" "$([ $rc -ne 0 ] && [ "$(grep -c '^error:' <<<"$err")" -eq 1 ] && echo yes)" "$err"
expect "damaged checkpoint: no output" "$([ ! -e "$work/bad.gguf" ] && [ -z "$(ls "$work" | grep converting)" ] && echo yes)" "$(ls "$work")"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
