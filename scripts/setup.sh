#!/usr/bin/env bash
# Creates .venv with torch (CPU), mmcv 2.1.0 built with ops, mmengine, mmdet and aw_mmdet (editable).
# Idempotent: a venv is "good" only when the ready-marker matches the hash of the setup inputs, so a
# half-built venv (crash, Ctrl-C) is never mistaken for a good one and is rebuilt from scratch.
# The compiled mmcv wheel is cached under $AW_MMDET_CACHE (default ~/.cache/aw_mmdet) so the build
# (10-35 min on 2 cores; measured: 10.5 min for the whole setup on a new machine, 17-33 min on
# earlier ones) happens once per machine; while it runs, a progress line every 60 s.
set -euo pipefail
START="$(date +%s)"

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

# --- progress helpers (tests/test_packaging/test_setup_progress.py runs this block) ---
PROGRESS_EVERY="${AW_MMDET_PROGRESS_EVERY:-60}"
build_pid=""

since() { local s=$(( $(date +%s) - $1 )); printf '%d min %02d s' $((s / 60)) $((s % 60)); }

# "N of M op sources compiled" from ninja's "[N/M]" lines in the (pip -v) log; without ninja,
# the number of object files compiled so far under the build folder.
build_progress() {  # LOG BUILD_DIR
  local last
  last="$(grep -oE '^ *\[[0-9]+/[0-9]+\] ' "$1" 2>/dev/null | tail -n 1 | tr -d '[] ' || true)"
  if [ -n "$last" ]; then
    echo "${last%/*} of ${last#*/} op sources compiled"
  else
    echo "$(find "$2" -name '*.o' 2>/dev/null | wc -l) op sources compiled"
  fi
}

# Run CMD in the background, output to LOG, with a progress line every PROGRESS_EVERY seconds;
# return its exit status. It gets its own process group (setsid) so stop_build also stops the
# compilers it started, when setup fails or is interrupted.
run_with_progress() {  # LOG BUILD_DIR CMD...
  local log="$1" dir="$2" start next rc=0
  shift 2
  if command -v setsid >/dev/null; then setsid "$@" >"$log" 2>&1 & else "$@" >"$log" 2>&1 & fi
  build_pid=$!
  start="$(date +%s)"
  next="$PROGRESS_EVERY"
  while kill -0 "$build_pid" 2>/dev/null; do
    sleep 1
    if [ $(( $(date +%s) - start )) -ge "$next" ] && kill -0 "$build_pid" 2>/dev/null; then
      echo "setup: mmcv build: $(since "$start") elapsed, $(build_progress "$log" "$dir")"
      next=$(( next + PROGRESS_EVERY ))
    fi
  done
  wait "$build_pid" || rc=$?
  build_pid=""
  return "$rc"
}

stop_build() {
  if [ -n "$build_pid" ]; then
    kill -TERM -- "-$build_pid" 2>/dev/null || kill -TERM "$build_pid" 2>/dev/null || true
  fi
}
# --- end of progress helpers ---

fail() { echo "setup: $*" >&2; rm -rf "$VENV"; exit 1; }
trap 'rc=$?; stop_build; if [ $rc -ne 0 ] && [ ! -f "$MARKER" ]; then rm -rf "$VENV"; echo "setup: failed after $(since "$START"); removed the partial .venv" >&2; fi' EXIT

echo "setup: creating $VENV"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || fail "could not create the venv with $PYTHON"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
# setuptools as requirements-build.txt pins it (why: there) from the start: no conflict at any step.
setuptools_pin="$(grep -E '^setuptools' "$ROOT/requirements-build.txt")"
"${PIP[@]}" install -q --upgrade pip "$setuptools_pin" wheel || fail "pip/setuptools/wheel install failed"
"${PIP[@]}" install -q "torch==$TORCH_VERSION" "numpy>=1.24" || fail "torch==$TORCH_VERSION install failed"
"${PIP[@]}" install -q -r "$ROOT/requirements-build.txt" || fail "mmcv build requirements failed"

pyver="$("$VENV/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
WHEELS="$CACHE/wheels/mmcv-$MMCV_VERSION-torch-$TORCH_VERSION-$pyver"
mkdir -p "$WHEELS" "$CACHE/logs"
if ! ls "$WHEELS"/mmcv-*.whl >/dev/null 2>&1; then
  log="$CACHE/logs/mmcv-build-$(date +%Y%m%d-%H%M%S).log"
  echo "setup: building mmcv $MMCV_VERSION with ops: 10-35 min on 2 cores, once per machine" \
       "(a line every $PROGRESS_EVERY s); log: $log"
  tmp="$(mktemp -d "$WHEELS.tmp.XXXX")"
  build_dir="$tmp/build"  # pip's TMPDIR: mmcv is unpacked and compiled here
  mkdir -p "$build_dir"
  build_start="$(date +%s)"
  if ! run_with_progress "$log" "$build_dir" env TMPDIR="$build_dir" MMCV_WITH_OPS=1 \
       MAX_JOBS="${MAX_JOBS:-$(nproc)}" "${PIP[@]}" wheel -v --no-build-isolation --no-deps \
       -w "$tmp" "mmcv==$MMCV_VERSION"; then
    rm -rf "$tmp"
    fail "mmcv build failed after $(since "$build_start"): see $log"
  fi
  echo "setup: mmcv built in $(since "$build_start")"
  mv "$tmp"/mmcv-*.whl "$WHEELS"/ && rm -rf "$tmp"
fi
"${PIP[@]}" install -q "$WHEELS"/mmcv-*.whl || fail "installing the cached mmcv wheel failed ($WHEELS)"
"${PIP[@]}" install -q -r "$ROOT/requirements.txt" || fail "installing requirements.txt failed"
"${PIP[@]}" install -q --no-build-isolation --no-deps -e "$ROOT" || fail "pip install -e . failed"
"$VENV/bin/python" -c "import mmcv.ops, mmdet, aw_mmdet" || fail "import check (mmcv.ops, mmdet, aw_mmdet) failed"

# The fused CPU kernel of AW's modulation: compiled now (about a minute, cached per machine under
# $CACHE/ext) so that the first training does not pay for it; AW runs without it if this fails.
kernel_start="$(date +%s)"
AW_MMDET_CACHE="$CACHE" "$VENV/bin/python" -m aw_mmdet.ops.fused_kernel 2>&1 | tail -n 1
echo "setup: fused kernel step took $(since "$kernel_start")"
echo "$want" > "$MARKER"
echo "setup: done in $(since "$START") ($("$VENV/bin/python" -c 'import torch, mmcv, mmdet, mmengine; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmdet {mmdet.__version__}")'))"
