#!/usr/bin/env bash
# Runs every benchmark with its yardstick in the same run and writes bench/RESULTS.md;
# `bench/run.sh SECTION...` (e.g. shipped-serve shipped-load shipped-cli) measures only those sections again.
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
export BEV_CHAOS_ROOT="$ROOT"
out="$ROOT/bench/RESULTS.md"
bench=(dotnet "bench/Bev.Chaos.Bench/bin/Release/net10.0/Bev.Chaos.Bench.dll")
all=(shipped-serve shipped-load shipped-cli latency emergency-stop proxy http-proxy api load containers cpu-accuracy)
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r), $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /'), running as $(id -un)"
work="$(mktemp -d)"
trap 'rm -rf "$work"; if [ -n "${BENCH_DOCKERD:-}" ]; then kill "$BENCH_DOCKERD" 2>/dev/null; wait "$BENCH_DOCKERD" 2>/dev/null; fi' EXIT

# Each section between <!-- bench:NAME --> markers, so that `bench/run.sh NAME...` measures again
# only those sections and leaves the others (and notes written beside them) in place.
section() {
  echo "<!-- bench:$1 -->"
  "${bench[@]}" "$1" "${RUNS:-100}"
  echo "_\`bench/run.sh $1\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $machine._"
  echo
  echo "<!-- /bench:$1 -->"
}

if [ $# -eq 0 ] || [ "$*" = all ]; then
  {
    echo "# Benchmark results"
    echo
    echo "Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $machine."
    echo "Each table puts our figure beside its yardstick from the same run. Sections marked *processes* measure the shipped entry points as users start them (\`./bev-chaos ...\`); sections marked *in-process* host the engine, server or generator inside the bench."
    echo
    for name in "${all[@]}"; do section "$name"; done
  } >"$work/all.md"
  mv "$work/all.md" "$out"
else
  for name in "$@"; do
    [[ " ${all[*]} " == *" $name "* ]] || { echo "bench/run.sh: unknown section '$name'; sections: ${all[*]}" >&2; exit 2; }
    section "$name" >"$work/$name.md"
    if grep -q "^<!-- bench:$name -->\$" "$out"; then
      awk -v name="$name" -v file="$work/$name.md" '
        $0 == "<!-- bench:" name " -->" { while ((getline line < file) > 0) print line; skip = 1; next }
        skip && $0 == "<!-- /bench:" name " -->" { skip = 0; next }
        !skip { print }' "$out" >"$work/out.md"
    else
      cat "$out" "$work/$name.md" >"$work/out.md"
    fi
    mv "$work/out.md" "$out"
  done
fi
cat "$out"
