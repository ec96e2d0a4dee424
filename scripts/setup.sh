#!/usr/bin/env bash
# Creates .venv with torch (CPU), mmcv 2.1.0 built with ops, mmengine, mmdet and aw_mmdet (editable).
# Idempotent: a venv is "good" only when the ready-marker matches the hash of the setup inputs, so a
# half-built venv (crash, Ctrl-C) is never mistaken for a good one and is rebuilt from scratch.
# The compiled mmcv wheel is cached under $AW_MMDET_CACHE (default ~/.cache/aw_mmdet) so the ~8 min
# build happens once per machine.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
CACHE="${AW_MMDET_CACHE:-$HOME/.cache/aw_mmdet}"
TORCH_VERSION="${AW_MMDET_TORCH:-2.13.0}"
MMCV_VERSION="2.1.0"
MARKER="$VENV/.aw_mmdet_ready"

inputs_hash() {
  cat "$ROOT/scripts/setup.sh" "$ROOT/setup.py" "$ROOT/requirements.txt" \
      "$ROOT/requirements-build.txt" | sha256sum | cut -d' ' -f1
}

want="$(inputs_hash)"
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$want" ]; then
  echo "setup: .venv is ready (nothing to do)"
  exit 0
fi

fail() { echo "setup: $*" >&2; rm -rf "$VENV"; exit 1; }
trap 'rc=$?; if [ $rc -ne 0 ] && [ ! -f "$MARKER" ]; then rm -rf "$VENV"; echo "setup: failed; removed the partial .venv" >&2; fi' EXIT

echo "setup: creating $VENV"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || fail "could not create the venv with $PYTHON"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q --upgrade pip "setuptools<70" wheel || fail "pip/setuptools/wheel install failed"
"${PIP[@]}" install -q "torch==$TORCH_VERSION" "numpy>=1.24" || fail "torch==$TORCH_VERSION install failed"
"${PIP[@]}" install -q -r "$ROOT/requirements-build.txt" || fail "mmcv build requirements failed"

pyver="$("$VENV/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
WHEELS="$CACHE/wheels/mmcv-$MMCV_VERSION-torch-$TORCH_VERSION-$pyver"
mkdir -p "$WHEELS" "$CACHE/logs"
if ! ls "$WHEELS"/mmcv-*.whl >/dev/null 2>&1; then
  log="$CACHE/logs/mmcv-build-$(date +%Y%m%d-%H%M%S).log"
  echo "setup: building mmcv $MMCV_VERSION with ops (about 8 min on 2 cores); log: $log"
  tmp="$(mktemp -d "$WHEELS.tmp.XXXX")"
  if ! MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "${PIP[@]}" wheel --no-build-isolation --no-deps \
       -w "$tmp" "mmcv==$MMCV_VERSION" >"$log" 2>&1; then
    rm -rf "$tmp"
    fail "mmcv build failed: see $log"
  fi
  mv "$tmp"/mmcv-*.whl "$WHEELS"/ && rm -rf "$tmp"
fi
"${PIP[@]}" install -q "$WHEELS"/mmcv-*.whl || fail "installing the cached mmcv wheel failed ($WHEELS)"
"${PIP[@]}" install -q -r "$ROOT/requirements.txt" || fail "installing requirements.txt failed"
"${PIP[@]}" install -q --no-build-isolation --no-deps -e "$ROOT" || fail "pip install -e . failed"
"$VENV/bin/python" -c "import mmcv.ops, mmdet, aw_mmdet" || fail "import check (mmcv.ops, mmdet, aw_mmdet) failed"

echo "$want" > "$MARKER"
echo "setup: done ($("$VENV/bin/python" -c 'import torch, mmcv, mmdet, mmengine; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmdet {mmdet.__version__}")'))"
