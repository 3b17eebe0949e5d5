#!/usr/bin/env bash
# tessera-cli imatrix and quantize --imatrix through the real binary on the bundled model:
# the matrix is written, quantization records it, and a bad or foreign matrix is a one-line
# error with no output file.
set -u
cli=$1 work=$2
source "$(dirname "$0")/lib/expect.bash"
text="$(dirname "$0")/../data/calibration/aidreams-calibration.txt"

out=$("$cli" imatrix -m "$model" -f "$text" -o "$work/aidreams.imatrix" --chunk 128 -t 2 2>&1); rc=$?
expect "imatrix succeeds" "$([ $rc -eq 0 ] && [ -s "$work/aidreams.imatrix" ] && echo yes)" "rc=$rc $out"
expect "imatrix reports chunks and perplexity" "$(grep -qE 'tokens in [0-9]+ chunks of 128, perplexity [0-9.]+; 29 matrices' <<<"$out" && echo yes)" "$out"

out=$("$cli" quantize "$model" "$work/q4_1.gguf" q4_1 --imatrix "$work/aidreams.imatrix" -t 2 2>&1); rc=$?
expect "quantize --imatrix succeeds" "$([ $rc -eq 0 ] && [ -s "$work/q4_1.gguf" ] && echo yes)" "rc=$rc $out"
expect "quantize names the matrix" "$(grep -q 'importance matrix: 29 matrices from [0-9]* chunks' <<<"$out" && echo yes)" "$out"
gen=$("$cli" run -m "$work/q4_1.gguf" -p "I" -n 8 --temp 0 2>/dev/null)
expect "the weighted model generates" "$([ ${#gen} -gt 2 ] && echo yes)" "$gen"

# A model file is not an importance matrix; a matrix from another model does not fit.
err=$("$cli" quantize "$model" "$work/bad.gguf" q4_0 --imatrix "$model" 2>&1); rc=$?
expect "a model as --imatrix: one-line error" "$([ $rc -ne 0 ] && [ "$(grep -c '^error:' <<<"$err")" -eq 1 ] && grep -q 'not an importance matrix' <<<"$err" && echo yes)" "$err"
printf '\001\000\000\000\023\000\000\000blk.0.attn_q.weight\001\000\000\000\002\000\000\000\000\000\200\077\000\000\200\077' >"$work/foreign.dat"
err=$("$cli" quantize "$model" "$work/foreign.gguf" q4_0 --imatrix "$work/foreign.dat" 2>&1); rc=$?
expect "a foreign matrix: refused" "$([ $rc -ne 0 ] && grep -q 'another model' <<<"$err" && echo yes)" "$err"
expect "refused runs leave no output" "$([ ! -e "$work/bad.gguf" ] && [ ! -e "$work/foreign.gguf" ] && echo yes)" "$(ls "$work")"
finish
