#!/usr/bin/env bash
# The ONNX checker for the export tests (test/integration/export.test.ts): Debian's python3-onnx, installed with apt
# when the system Python lacks it. Needs root (CI runs as root on Debian bookworm).
set -euo pipefail
if /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-onnx
/usr/bin/python3 -c 'import onnx; print("python3-onnx", onnx.__version__)'
