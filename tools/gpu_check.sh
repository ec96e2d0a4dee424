#!/usr/bin/env bash
# The GPU check: AW's op tests on the device, the benchmark (stock vs AW and the peers, by cases)
# on the device, an AMP (fp16) training step of the R101 detector; one report.
#
#   tools/gpu_check.sh prepare          # here (with a network): wheels + mmcv source into .whl/
#   tools/gpu_check.sh setup            # on the GPU machine: install them, build mmcv's CUDA ops
#   tools/gpu_check.sh check [OUT]      # on the GPU machine: the check (~8 min), OUT/gpu_check.md
#   tools/gpu_check.sh check --cpu OUT  # a rehearsal of the same steps on the CPU, small sizes
#
# The GPU machine has CUDA torch but not mmcv/mmengine/mmdet: `prepare` downloads wheels for its
# Python (3.12) and mmcv's source; `setup` installs them into $AW_GPU_SITE and compiles mmcv with
# CUDA ops for the local GPU's architecture only (minutes; kept while the machine stays warm).
set -uo pipefail
cd "$(dirname "$0")/.."
SITE="${AW_GPU_SITE:-/tmp/aw_gpu_site}"
PY="${PYTHON:-python3}"
WHEELS=(mmengine==0.10.7 mmdet==3.3.0 pycocotools addict yapf terminaltables termcolor shapely)

prepare() {
  mkdir -p .whl
  grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
  "$PY" -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .whl "${WHEELS[@]}" onnxruntime || return 1
  # mmcv's source, built there; its metadata step needs torch, hence no build isolation here
  "$PY" -m pip download --no-deps --no-binary=:all: --no-build-isolation -d .whl mmcv==2.1.0
}

setup() {
  local start; start="$(date +%s)"
  mkdir -p "$SITE"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" .whl/*.whl || return 1
  export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
  if ! "$PY" -c 'import mmcv.ops' 2>/dev/null; then
    arch="$("$PY" -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability())')"
    echo "gpu_check: building mmcv 2.1.0 with CUDA ops for sm_$arch (several minutes)"
    TORCH_CUDA_ARCH_LIST="$arch" MMCV_WITH_OPS=1 FORCE_CUDA=1 MAX_JOBS="$(nproc)" \
      "$PY" -m pip install -q --no-deps --no-build-isolation --target "$SITE" .whl/mmcv-*.tar.gz \
      || return 1
  fi
  "$PY" -c 'import mmcv.ops, mmdet, aw_mmdet; print("gpu_check: imports ok")' || return 1
  echo "gpu_check: setup took $(( $(date +%s) - start )) s"
}

step() {  # NAME CMD...: run, time, and record in the report
  local name="$1" start rc; shift
  start="$(date +%s)"
  echo "== $name: $*"
  "$@" 2>&1 | tee "$OUT/$name.log" | tail -n 40
  rc=${PIPESTATUS[0]}
  printf '| %s | %s | %d s | `%s` |\n' "$name" "$([ "$rc" = 0 ] && echo ok || echo "FAILED ($rc)")" \
    "$(( $(date +%s) - start ))" "$*" >> "$OUT/steps.md"
  return 0
}

check() {
  local device=cuda quick=() amp=(--amp)
  if [ "${1:-}" = "--cpu" ]; then device=cpu; quick=(--quick --reps 1); amp=(); shift; fi
  OUT="${1:-${OUT:-work_dirs/gpu_check}}"
  mkdir -p "$OUT"
  export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
  : > "$OUT/steps.md"
  step environment "$PY" -c "import torch, mmcv, mmdet, aw_mmdet; print(torch.__version__, \
torch.version.cuda, torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu', \
mmcv.__version__, mmdet.__version__)"
  step op_tests env AW_MMDET_TEST_DEVICE="$device" "$PY" -m pytest -q -p no:cacheprovider \
    tests/test_ops/test_device.py tests/test_ops/test_aw_conv.py
  step targets "$PY" tools/benchmark.py --suite targets --device "$device" "${quick[@]}" \
    --out "$OUT/targets"
  step peers "$PY" tools/benchmark.py --suite peers --device "$device" --skip memory \
    "${quick[@]}" --out "$OUT/peers"
  # AMP is CUDA's (AmpOptimWrapper): the CPU rehearsal runs the same step without it
  step amp_r101_train "$PY" tools/benchmark.py --cases 'r101_train*' "${amp[@]}" \
    --device "$device" --profile r101_train --skip memory "${quick[@]}" --out "$OUT/amp"
  {
    echo "# GPU check ($device, $(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo '| step | result | time | command |'
    echo '|---|---|---|---|'
    cat "$OUT/steps.md"
    for part in targets/targets peers/peers amp/targets; do
      [ -f "$OUT/$part.md" ] && { echo; cat "$OUT/$part.md"; }
    done
  } > "$OUT/gpu_check.md"
  echo "gpu_check: wrote $OUT/gpu_check.md"
  ! grep -q FAILED "$OUT/steps.md"
}

case "${1:-}" in
  prepare) prepare ;;
  setup) setup ;;
  check) shift; check "$@" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
