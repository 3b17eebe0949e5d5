#!/usr/bin/env bash
# tessera-cli devices: lists the Vulkan devices with memory and marks a default with its
# reason. CI has lavapipe (mesa-vulkan-drivers), whose device is "llvmpipe"; without any
# Vulkan device the test skips (77).
set -u
cli=$1
failures=0 passed=0
expect() {  # expect NAME GOT WANT
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok   $1"; else failures=$((failures + 1)); echo "FAIL $1: got '$2', want '$3'"; fi
}

out=$(env -u TESSERA_VK_DEVICE "$cli" devices 2>&1)
code=$?
echo "$out"
expect "exit code" "$code" "0"
if echo "$out" | grep -q "^No Vulkan devices\|no Vulkan backend"; then
  echo "no Vulkan device here: skipped"
  exit 77
fi
expect "lists lavapipe (llvmpipe)" "$(echo "$out" | grep -c '^  [0-9]*: llvmpipe')" "1"
expect "one device marked default" "$(echo "$out" | grep -c '\[default\]$')" "1"
expect "the default line gives a reason" "$(echo "$out" | grep -c '^Default: [0-9]* (.*): .\+')" "1"
expect "memory is listed" "$(echo "$out" | grep -c 'memory heap 0: [0-9.]* [KMG]iB')" "$(echo "$out" | grep -c '^  [0-9]*: ')"

llvm_index=$(echo "$out" | sed -n 's/^  \([0-9]*\): llvmpipe.*/\1/p')
expect "TESSERA_VK_DEVICE by name" "$(TESSERA_VK_DEVICE=llvmpipe "$cli" devices | sed -n 's/^Default: \([0-9]*\) .*TESSERA_VK_DEVICE=llvmpipe$/\1/p')" "$llvm_index"
TESSERA_VK_DEVICE=no-such-gpu "$cli" devices >/dev/null 2>&1
expect "TESSERA_VK_DEVICE matching nothing fails" "$?" "1"
expect "the error names the variable" "$(TESSERA_VK_DEVICE=no-such-gpu "$cli" devices 2>&1 >/dev/null | grep -c '^error: TESSERA_VK_DEVICE: ')" "1"
"$cli" devices extra >/dev/null 2>&1
expect "stray argument fails" "$?" "1"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
