#!/usr/bin/env bash
# --device vulkan on run and eval: the same greedy text and ids as the CPU on the bundled
# model, also split between the GPU and the CPU (--gpu-layers, TESSERA_VK_BUDGET), and
# one-line errors for a bad device, a budget too small, and a GPU lost mid-generation. Skips (77) only when no Vulkan device exists.
set -u
cli=$1 work=$2
source "$(dirname "$0")/lib/expect.bash"

bad=$("$cli" run -m "$model" -p I -n 4 --device gpu 2>&1); rc=$?
expect "unknown device kind is one error line" "$([ $rc -ne 0 ] && [ "$(grep -c '' <<<"$bad")" -eq 1 ] && grep -q "^error: unknown device 'gpu'" <<<"$bad" && echo yes)" "$bad"

if "$cli" devices 2>&1 | grep -q "^No Vulkan devices\|no Vulkan backend"; then
  out=$("$cli" run -m "$model" -p I -n 4 --device vulkan 2>&1); rc=$?
  expect "no device is one error line" "$([ $rc -ne 0 ] && [ "$(grep -c '' <<<"$out")" -eq 1 ] && echo yes)" "$out"
  echo "no Vulkan device here: skipped"
  exit 77
fi

cpu=$("$cli" run -m "$model" -p I -n 48 -t 1 --device cpu 2>/dev/null)
gpu=$("$cli" run -m "$model" -p I -n 48 --device vulkan 2>"$work/run.err")
expect "run --device vulkan: the reference greedy text" \
  "$([[ "$gpu" == "I siphon from noise. Contrast edges sharpen, a kaleidoscope of p"* ]] && echo yes)" "$gpu"
expect "run --device vulkan: the same text as the CPU" "$([ "$gpu" = "$cpu" ] && echo yes)" "cpu '$cpu' vulkan '$gpu'"
expect "run names the device" "$(grep -q 'Vulkan: ' "$work/run.err" && echo yes)" "$(cat "$work/run.err")"

gpu_ids=$("$cli" eval -m "$model" --tokens 1,306,2 --greedy 12 --device vulkan:0 2>&1)
cpu_ids=$("$cli" eval -m "$model" --tokens 1,306,2 --greedy 12 -t 1 2>&1)
expect "eval --device vulkan:0: the CPU's greedy ids" "$([ "$gpu_ids" = "$cpu_ids" ] && grep -qE '^[0-9]+(,[0-9]+){11}$' <<<"$gpu_ids" && echo yes)" "cpu $cpu_ids vulkan $gpu_ids"

out=$("$cli" run -m "$model" -p I -n 4 --device vulkan:no-such-gpu 2>&1); rc=$?
expect "a device matching nothing is one error line" "$([ $rc -ne 0 ] && [ "$(grep -c '' <<<"$out")" -eq 1 ] && grep -q '^error: ' <<<"$out" && echo yes)" "$out"

split=$("$cli" run -m "$model" -p I -n 48 --device vulkan --gpu-layers 2 2>"$work/split.err")
expect "run --gpu-layers 2: the same text as the CPU" "$([ "$split" = "$cpu" ] && echo yes)" "cpu '$cpu' split '$split'"
expect "run --gpu-layers 2 says how the model is split" "$(grep -q '2 of 4 layers on the GPU, the rest on the CPU' "$work/split.err" && echo yes)" "$(cat "$work/split.err")"

out=$(TESSERA_VK_BUDGET=1000 "$cli" run -m "$model" -p I -n 4 --device vulkan 2>&1); rc=$?
expect "a budget too small is one error line saying what is needed" \
  "$([ $rc -ne 0 ] && [ "$(grep -c '' <<<"$out")" -eq 1 ] && grep -qE '^error: .*needs [0-9.]+ KiB of GPU memory .*, 1000 B available' <<<"$out" && echo yes)" "$out"

# The 40th queue submission loses the device: past the upload of the weights, mid-generation
# (the prompt is printed first, so the error follows it on its line).
out=$(TESSERA_VK_FAULT=submit:40 "$cli" run -m "$model" -p I -n 48 --device vulkan 2>&1); rc=$?
expect "a GPU lost mid-generation is an error, not a crash" \
  "$([ $rc -eq 1 ] && grep -q 'error: the GPU failed during generation: .*VK_ERROR_DEVICE_LOST' <<<"$out" && echo yes)" "rc $rc: $out"

finish
