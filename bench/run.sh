#!/usr/bin/env bash
# Runs every benchmark with its yardstick in the same run and writes bench/RESULTS.md.
# As root it installs stress-ng (the CPU-load yardstick) when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The yardsticks: stress-ng (CPU load), HAProxy, iperf3 and sockperf (the fault proxy), wrk (the API and the load generator), nginx (the load target); docker.io for container faults.
if [ "$(id -u)" = 0 ]; then
  missing=()
  for tool in stress-ng:stress-ng haproxy:haproxy iperf3:iperf3 sockperf:sockperf wrk:wrk nginx:nginx-light; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
# Container faults need a Docker daemon: as root, a private one like test.sh's when none is given.
BENCH_DOCKER=/tmp/bev-chaos-bench-docker
if [ -z "${DOCKER_HOST:-}" ] && [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null 2>&1; then
  mkdir -p "$BENCH_DOCKER"
  dockerd --host "unix://$BENCH_DOCKER/sock" --data-root "$BENCH_DOCKER/root" --exec-root "$BENCH_DOCKER/exec" \
    --pidfile "$BENCH_DOCKER/pid" --bridge=none --iptables=false >"$BENCH_DOCKER/dockerd.log" 2>&1 &
  BENCH_DOCKERD=$!
  trap 'kill $BENCH_DOCKERD 2>/dev/null; wait $BENCH_DOCKERD 2>/dev/null' EXIT
  export DOCKER_HOST="unix://$BENCH_DOCKER/sock"
  for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
fi
dotnet build bench/Bev.Chaos.Bench/Bev.Chaos.Bench.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
out="$ROOT/bench/RESULTS.md"
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r), $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /'), running as $(id -un)."
  echo "Each table puts our figure beside its yardstick from the same run."
  echo
  dotnet "bench/Bev.Chaos.Bench/bin/Release/net10.0/Bev.Chaos.Bench.dll" all "${RUNS:-100}"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
