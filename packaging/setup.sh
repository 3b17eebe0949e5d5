#!/usr/bin/env bash
# One-command set-up on a fresh Debian 12 machine.
#   packaging/setup.sh run [ARGS]  installs what is missing, builds, starts the Tessera desktop app
#                                  (on the bundled model unless ARGS has --model FILE)
#   packaging/setup.sh test  installs what is missing, builds, runs the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build and tests use (Debian's own; nothing is downloaded at build time).
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  nlohmann-json3-dev libsqlite3-dev
  zlib1g-dev                 # storage: message text stored deflated (storage/text_codec.h)
  libcpp-httplib-dev         # tessera-cli serve: the OpenAI-compatible local HTTP server
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev   # libFuzzer and sanitizers for the fuzz targets
  libvulkan-dev glslc        # the Vulkan backend: loader + headers, GLSL -> SPIR-V at build time
  mesa-vulkan-drivers        # lavapipe: a CPU Vulkan device, so the Vulkan tests run without a GPU
  vulkan-validationlayers    # the tests run with validation on when the layer is installed
  # The desktop app: Qt 6.4 with Qt Quick, its QML modules, and Qt Test.
  qt6-base-dev qt6-base-dev-tools qt6-declarative-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-window qml6-module-qtqml-workerscript qml6-module-qtquick-templates
  qml6-module-qtqml qml6-module-qttest   # QtQuick imports QtQml, which no package pulls in
  nginx-light                # the download tests serve model files with nginx's real Range/ETag on loopback
  curl                       # tessera-download-bench compares the download engine with curl
  openssl                    # the download tests make a self-signed certificate to show TLS is verified
  libssl-dev                 # downloads hash with OpenSSL's SHA-256 (CPU SHA extensions; Qt's is 10x slower)
  # The models page's file and folder pickers (QtQuick.Dialogs); Qt's own dialogs list files
  # with Qt.labs.folderlistmodel where the desktop offers no native one.
  qml6-module-qtquick-dialogs qml6-module-qt-labs-folderlistmodel
  # API keys and tokens go to the desktop's secret store (app/core/secret_store.h); the tests
  # run a real gnome-keyring in a private D-Bus session to show it.
  qtkeychain-qt6-dev gnome-keyring dbus
)
# Node.js runs the chat template conformance test's reference renderer. Checked by command,
# not package: a Node.js from elsewhere (e.g. NodeSource, npm bundled) is kept as it is.
command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)

# @huggingface/jinja, the chat template renderer Hugging Face uses, is the reference the
# conformance test (tests/cli/template_conformance.sh) compares against byte for byte.
HF_JINJA_VERSION=0.5.11
# The official OpenAI client drives `tessera-cli serve` in tests/cli/serve_openai.sh
# (v4 runs on Node.js 18, Debian 12's).
OPENAI_NPM_VERSION=4.95.0

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "Installing: ${missing[*]}"
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {  # build PRESET
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1"
}

case "${1:-}" in
  run)
    install_missing
    build release
    shift
    exec build/release/app/desktop/tessera "$@"
    ;;
  test)
    install_missing
    npm install --no-audit --no-fund --prefix build/npm "@huggingface/jinja@${HF_JINJA_VERSION}" \
      "openai@${OPENAI_NPM_VERSION}"
    build release
    ctest --preset release --parallel 2
    # The fuzz targets (GGUF reader, chat templates, checkpoint parsers): short, bounded libFuzzer runs under ASan/UBSan.
    build fuzz
    ctest --preset fuzz
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
