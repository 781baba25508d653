#!/usr/bin/env bash
# Builds every function for Lambda in one release build with cargo lambda
# (arm64 by default; HELPDESK_ARCH=x86_64 for the other), zips them under
# target/lambda/<function>/bootstrap.zip and prints their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${HELPDESK_CACHE:-$HOME/.cache/helpdesk}/tools
if [ ! -x "$tools/bin/cargo-lambda" ]; then
  echo "installing cargo-lambda and zig into $tools (once)"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check cargo-lambda ziglang
fi
export PATH="$tools/bin:$PATH"
arch_flag=--arm64
[ "${HELPDESK_ARCH:-arm64}" = x86_64 ] && arch_flag=--x86-64
functions=$(ls functions)
package_args=()
for f in $functions; do package_args+=(--package "$f"); done
cargo lambda build --release "$arch_flag" --output-format zip "${package_args[@]}"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
out="$(target_dir)/lambda"
printf '\n%-16s %10s %10s\n' function zip binary
for f in $functions; do
  python3 - "$f" "$out/$f/bootstrap.zip" <<'PY'
import sys, zipfile, os
name, path = sys.argv[1], sys.argv[2]
binary = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
print(f"{name:<16} {os.path.getsize(path) / 1048576:9.1f}M {binary / 1048576:9.1f}M")
PY
done
