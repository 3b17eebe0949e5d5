# Sourced by the tests/cli scripts that check the bundled model: its path, a work folder,
# and expect NAME yes|no DETAIL with a pass/fail count; `finish` prints it and sets the
# exit status. (A .bash file in lib/ so the *.sh glob in tests/CMakeLists.txt skips it.)
model="$(dirname "${BASH_SOURCE[0]}")/../../../packaging/models/aidreams260K-f32.gguf"
mkdir -p "$work"
failures=0 passed=0
expect() {  # expect NAME CONDITION-RESULT DETAIL
  if [ "$2" = yes ]; then passed=$((passed + 1)); echo "ok   $1"; else failures=$((failures + 1)); echo "FAIL $1: $3"; fi
}
finish() {
  echo "$passed passed, $failures failed"
  [ "$failures" -eq 0 ]
}
