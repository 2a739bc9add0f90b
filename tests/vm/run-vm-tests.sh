#!/usr/bin/env bash
# The VM stage: boots Debian's stock kernel once (tests/vm/vm.sh), starts one warmed engine
# (`bev-chaos serve`) in it, runs every tests/vm/cases/*.sh inside it in order, and writes the
# results as RESULTS_DIR/Bev.Chaos.VmTests.trx (and .log) for ./test.sh's counts.
#
#   run-vm-tests.sh RESULTS_DIR [CASE_FILTER]
#
# The VM cannot run here (no root, qemu, ...) or fails to boot: under CI=true that is a failed
# test, otherwise one skipped test that says why. Bounded: the whole stage gives up after
# BEV_VM_STAGE_TIMEOUT seconds (default 480) and the VM powers itself off shortly after; every
# exit kills qemu and removes the temporary directory.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RESULTS="${1:?usage: run-vm-tests.sh RESULTS_DIR [CASE_FILTER]}"
FILTER="${2:-}"
STAGE_TIMEOUT="${BEV_VM_STAGE_TIMEOUT:-480}"
NAME=Bev.Chaos.VmTests
CLI="$ROOT/src/Bev.Chaos.Cli/bin/Release/net10.0/bev-chaos"
mkdir -p "$RESULTS"
TRX="$RESULTS/$NAME.trx"
LOG="$RESULTS/$NAME.log"
: >"$LOG"
START=$(date +%s)
DEADLINE=$((START + STAGE_TIMEOUT))
NAMES=() OUTCOMES=() DURATIONS=() OUTPUTS=()

log() { echo "run-vm-tests: $*" >&2; }

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' | tr -d '\000-\010\013\014\016-\037'; }

record() { # name outcome(Passed|Failed|NotExecuted) seconds output
  NAMES+=("$1") OUTCOMES+=("$2") DURATIONS+=("$3") OUTPUTS+=("$4")
  case "$2" in
    Passed) printf '  Passed %s [%s s]\n' "$1" "$3" >>"$LOG" ;;
    Failed) { printf '  Failed %s [%s s]\n  Error Message:\n' "$1" "$3"; printf '%s\n' "$4" | tail -n 14 | sed 's/^/   /'; } >>"$LOG" ;;
    *) { printf '  Skipped %s\n' "$1"; printf '%s\n' "$4" | sed 's/^/   /'; } >>"$LOG" ;;
  esac
}

write_trx() {
  local total=${#NAMES[@]} executed=0 passed=0 failed=0 i
  for i in "${!NAMES[@]}"; do
    case "${OUTCOMES[$i]}" in
      Passed) executed=$((executed + 1)); passed=$((passed + 1)) ;;
      Failed) executed=$((executed + 1)); failed=$((failed + 1)) ;;
    esac
  done
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<TestRun name=\"$NAME\" xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\">"
    echo '  <Results>'
    for i in "${!NAMES[@]}"; do
      printf '    <UnitTestResult testName="%s" outcome="%s" duration="00:00:%02d"><Output><StdOut>%s</StdOut></Output></UnitTestResult>\n' \
        "$NAME.${NAMES[$i]}" "${OUTCOMES[$i]}" "$((${DURATIONS[$i]} % 60))" "$(printf '%s' "${OUTPUTS[$i]}" | tail -n 60 | xml_escape)"
    done
    echo '  </Results>'
    echo "  <ResultSummary outcome=\"$([ $failed -eq 0 ] && echo Completed || echo Failed)\"><Counters total=\"$total\" executed=\"$executed\" passed=\"$passed\" failed=\"$failed\" /></ResultSummary>"
    echo '</TestRun>'
  } >"$TRX"
  log "$passed passed, $failed failed, $((total - executed)) skipped in $(($(date +%s) - START)) s (log: $LOG)"
  [ $failed -eq 0 ]
}

# Not runnable here: a failure under CI, a skip elsewhere.
cannot_run() {
  if [ "${CI:-}" = true ]; then
    record VmStage_Boots Failed 0 "$1"
  else
    record VmStage_Boots NotExecuted 0 "skipped: $1"
  fi
  write_trx
  exit $?
}

reason="$("$HERE/vm.sh" check 2>&1)" || cannot_run "$reason"
[ -x "$CLI" ] || cannot_run "the CLI is not built ($CLI): build Bev.Chaos.slnx -c Release first"
prep_log="$("$HERE/vm.sh" prepare 2>&1)" || cannot_run "preparing the VM failed: $prep_log"

WORK="$(mktemp -d /tmp/bev-chaos-vm.XXXXXX)"
QEMU_PID=""
cleanup() {
  if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
    : >"$WORK/share/cmd/poweroff" 2>/dev/null
    kill "$QEMU_PID" 2>/dev/null
    wait "$QEMU_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

BEV_VM_TIMEOUT=$((STAGE_TIMEOUT + 30)) "$HERE/vm.sh" boot "$WORK" >"$WORK/qemu.log" 2>&1 &
QEMU_PID=$!

boot_start=$(date +%s)
until [ -e "$WORK/share/ready" ]; do
  if ! kill -0 "$QEMU_PID" 2>/dev/null || [ "$(date +%s)" -gt $((boot_start + 240)) ]; then
    tail_console="$(tail -n 20 "$WORK/console.log" 2>/dev/null; cat "$WORK/qemu.log")"
    cannot_run "the VM did not boot within 240 s: $tail_console"
  fi
  sleep 0.2
done
boot_seconds=$(($(date +%s) - boot_start))
log "VM up in ${boot_seconds} s ($(cat "$WORK/share/ready"))"

SEQ=0
# vm_run SECONDS SCRIPT: runs SCRIPT (bash) in the VM, at most SECONDS there; sets RUN_RC and RUN_OUT.
vm_run() {
  local seconds="$1" script="$2" n
  SEQ=$((SEQ + 1))
  n=$(printf '%04d' "$SEQ")
  printf 'export BEV_ROOT=%q BEV_CLI=%q\nexec timeout -k 5 %s bash -c %q\n' "$ROOT" "$CLI" "$seconds" "$script" >"$WORK/share/cmd/$n.tmp"
  mv "$WORK/share/cmd/$n.tmp" "$WORK/share/cmd/$n.sh"
  local until=$(($(date +%s) + seconds + 15))
  while [ ! -e "$WORK/share/out/$n.rc" ]; do
    if [ "$(date +%s)" -gt "$until" ] || ! kill -0 "$QEMU_PID" 2>/dev/null; then
      RUN_RC=124 RUN_OUT="$(cat "$WORK/share/out/$n.out" 2>/dev/null) (no answer from the VM within ${seconds} s)"
      return
    fi
    sleep 0.1
  done
  RUN_RC="$(cat "$WORK/share/out/$n.rc")"
  RUN_OUT="$(cat "$WORK/share/out/$n.out")"
}

for case_file in "$HERE"/cases/*.sh; do
  case_name="$(basename "$case_file" .sh)"
  case_name="${case_name#[0-9][0-9]-}"
  if [ -n "$FILTER" ] && [[ "$case_name" != *"$FILTER"* ]] && [[ "$case_name" != Engine_* ]]; then
    continue
  fi
  now=$(date +%s)
  left=$((DEADLINE - now))
  if [ "$left" -le 10 ]; then
    record "$case_name" Failed 0 "not run: the VM stage's ${STAGE_TIMEOUT} s were used up"
    continue
  fi
  budget=$(sed -n 's/^# budget: *\([0-9]*\).*/\1/p' "$case_file" | head -n1)
  budget=${budget:-120}
  [ "$budget" -gt "$left" ] && budget=$left
  vm_run "$budget" "source $(printf %q "$HERE/lib.sh"); source $(printf %q "$case_file")"
  took=$(($(date +%s) - now))
  if [ "$RUN_RC" = 0 ]; then
    record "$case_name" Passed "$took" "$RUN_OUT"
  else
    record "$case_name" Failed "$took" "exit $RUN_RC: $RUN_OUT"
  fi
  printf '%s\n' "$RUN_OUT" | grep '^measured:' | sed "s/^/run-vm-tests: $case_name /" >&2
  log "$case_name: ${OUTCOMES[-1]} in ${took} s"
done

log "stage wall time $(($(date +%s) - START)) s (boot ${boot_seconds} s)"
write_trx
