#!/usr/bin/env bash
# Installs what the tests need (when root), builds, runs every test project and prints
# "N passed, N failed, N skipped" from the TRX results. Exits non-zero on any failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
RESULTS="$ROOT/test-results"
DOCKER_DIR="${BEV_CHAOS_TEST_DOCKER_DIR:-/tmp/bev-chaos-test-docker}"
# prometheus brings promtool (the /metrics check); wrk and nginx-light the load generator's yardstick and
# target; redis-server the demo pipeline's queue.
# debootstrap and docker-compose: the container stage (deploy/local-images.sh builds the base images; compose runs them).
# qemu-system-x86 and cpio: the VM stage (Debian's stock kernel: cgroup v2 and netem).
PACKAGES=(docker.io nftables stress-ng iproute2 busybox-static procps util-linux coreutils chromium prometheus wrk nginx-light redis-server debootstrap docker-compose qemu-system-x86 cpio postgresql)

log() { echo "test.sh: $*" >&2; }

install_packages() {
  [ "$(id -u)" = 0 ] || { log "not root: skipping package installation (tests that need root will say so)"; return 0; }
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  # Packages with services (prometheus, nginx, redis) must not start them: tests start their own.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
  fi
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  local rc=$?
  [ -n "$created_policy" ] && rm -f "$policy"
  return $rc
}

start_dockerd() {
  [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null 2>&1 || return 0
  mkdir -p "$DOCKER_DIR"
  if [ -S "$DOCKER_DIR/sock" ] && docker -H "unix://$DOCKER_DIR/sock" info >/dev/null 2>&1; then
    export DOCKER_HOST="unix://$DOCKER_DIR/sock"
    return 0
  fi
  dockerd --host "unix://$DOCKER_DIR/sock" --data-root "$DOCKER_DIR/root" --exec-root "$DOCKER_DIR/exec" \
    --pidfile "$DOCKER_DIR/pid" --bridge=none --iptables=false >"$DOCKER_DIR/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 100); do
    docker -H "unix://$DOCKER_DIR/sock" info >/dev/null 2>&1 && break
    sleep 0.2
  done
  export DOCKER_HOST="unix://$DOCKER_DIR/sock"
}

stop_dockerd() {
  if [ -n "${DOCKERD_PID:-}" ]; then
    kill "$DOCKERD_PID" 2>/dev/null
    wait "$DOCKERD_PID" 2>/dev/null
  fi
}

sum_counter() { # $1 = attribute of <Counters> in every TRX file
  local total=0 n
  for trx in "$RESULTS"/*.trx; do
    [ -f "$trx" ] || continue
    n=$(grep -o "<Counters [^>]*" "$trx" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | head -n1)
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

install_packages || { log "package installation failed"; echo "0 passed, 1 failed"; exit 1; }
start_dockerd
trap stop_dockerd EXIT

# The Toxiproxy compatibility test drives our API with the published Node.js client.
if command -v npm >/dev/null 2>&1; then
  (cd "$ROOT/tests/Bev.Chaos.Proxy.Tests/client" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || log "npm ci failed: the Node.js client test will report it"
  (cd "$ROOT/tests/Bev.Chaos.Server.Tests/dashboard" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || log "npm ci failed: the dashboard test will report it"
else
  log "npm not found: the Node.js Toxiproxy client test will skip (fail under CI=true)"
fi

log "building"
if ! dotnet build "$ROOT/Bev.Chaos.slnx" -c Release -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary"; then
  log "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
status=0
# One project at a time: fault tests measure CPU and I/O, and must not compete with each other.
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  log "running $name"
  dotnet test "$project" -c Release --no-build -nologo --results-directory "$RESULTS" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" ${TEST_FILTER:+--filter "$TEST_FILTER"} \
    >"$RESULTS/$name.log" 2>&1 || status=1
  grep -E "^\s+Skipped |error|Passed!|Failed!|Total tests" "$RESULTS/$name.log" | grep -v "^\s*$" | tail -n 40 >&2
  # Each failure with its message and the top of its stack, so that CI's output says why.
  awk '/^  (Passed|Skipped) /{n=0} /^  Failed /{n=16} n>0{print; n--}' "$RESULTS/$name.log" | head -n 200 >&2
done

# --- VM stage (tests/vm): cgroup v2 and netem on Debian's stock kernel, booted once under qemu.
# It writes Bev.Chaos.VmTests.trx beside the others; outside CI a VM that cannot run is one skip.
if [ -z "${TEST_FILTER:-}" ] || [ -n "${VM_FILTER:-}" ]; then
  log "running the VM stage"
  "$ROOT/tests/vm/run-vm-tests.sh" "$RESULTS" "${VM_FILTER:-}" || status=1
  grep -E "^  (Passed|Skipped) " "$RESULTS/Bev.Chaos.VmTests.log" >&2
  awk '/^  (Passed|Skipped) /{n=0} /^  Failed /{n=16} n>0{print; n--}' "$RESULTS/Bev.Chaos.VmTests.log" | head -n 200 >&2
fi
# --- end of the VM stage

passed=$(sum_counter passed)
failed=$(sum_counter failed)
total=$(sum_counter total)
executed=$(sum_counter executed)
skipped=$((total - executed))
[ "$failed" -gt 0 ] && status=1
[ "$total" -eq 0 ] && status=1
stop_dockerd
trap - EXIT
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
