#!/usr/bin/env bash
# The bundled default model through the real binary: info prints the layer map, run streams
# the known greedy text, eval writes n_tokens x n_vocab float32 logits and greedy ids.
set -u
cli=$1 work=$2
source "$(dirname "$0")/lib/expect.bash"

info=$("$cli" info "$model" 2>&1)
expect "info architecture" "$(grep -q '^architecture: *llama' <<<"$info" && echo yes)" "$info"
expect "info layer map" "$([ "$(grep -cE '^ +[0-9]+ +gqa kv=4 +swiglu [0-9]+' <<<"$info")" -eq 4 ] && echo yes)" "$info"
expect "info kv cache" "$(grep -q '^kv cache:' <<<"$info" && echo yes)" "$info"

text=$("$cli" run -m "$model" -p I -n 64 -t 1 2>/dev/null)
expect "run greedy text" "$([[ "$text" == "I siphon from noise. Contrast edges sharpen, a kaleidoscope of p"* ]] && echo yes)" "$text"

ids=$("$cli" eval -m "$model" --tokens 1,306,2 --logits "$work/logits.f32" --greedy 5 2>&1)
size=$(stat -c %s "$work/logits.f32" 2>/dev/null || echo 0)
expect "eval logits size" "$([ "$size" -eq $((3 * 512 * 4)) ] && echo yes)" "size $size"
expect "eval greedy ids" "$(grep -qE '^[0-9]+(,[0-9]+){4}$' <<<"$ids" && echo yes)" "$ids"

bad=$("$cli" eval -m "$model" --tokens 1,99999 2>&1); rc=$?
expect "eval rejects out-of-vocabulary ids" "$([ $rc -ne 0 ] && grep -q 'outside the vocabulary' <<<"$bad" && echo yes)" "$bad"

finish
