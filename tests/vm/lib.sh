# Sourced by every tests/vm/cases/*.sh inside the VM (bash, in the chroot of the host's root):
# drives the one engine (`bev-chaos serve`) the first case started, and polls real effects.
BEV_API=http://127.0.0.1:8080
BEV_DATA=/tmp/bev-data
set -uo pipefail

fail() { echo "FAIL: $*"; exit 1; }
measured() { echo "measured: $*"; }

# poll SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS; false when it never did.
poll() {
  local until=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [ "$(date +%s)" -ge "$until" ] && return 1
    sleep 0.2
  done
}

# Starts the engine in the background and waits until /health answers.
start_engine() {
  mkdir -p "$BEV_DATA"
  setsid "$BEV_CLI" serve --urls "$BEV_API" --data-dir "$BEV_DATA" >>/tmp/bev-serve.log 2>&1 </dev/null &
  echo $! >/tmp/bev-serve.pid
  poll "${1:-200}" curl -sf -o /dev/null "$BEV_API/health" || { tail -n 20 /tmp/bev-serve.log; fail "the engine did not answer /health"; }
}

# inject INJECTOR TARGET SECONDS PARAMETERS_JSON: prints the fault id, fails the case on an error.
inject() {
  local body response
  body="{\"injector_name\":\"$1\",\"target_service\":\"$2\",\"duration_seconds\":$3,\"parameters\":$4}"
  response="$(curl -sS -X POST "$BEV_API/faults" -H 'content-type: application/json' -d "$body")"
  case "$response" in
    *'"fault_id":"'*) sed 's/.*"fault_id":"\([^"]*\)".*/\1/' <<<"$response" ;;
    *) echo "inject $1 failed: $response" >&2; return 1 ;;
  esac
}

remove() { curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$BEV_API/faults/$1" | grep -q '^2' || fail "removing $1 failed"; }

# A network namespace with loopback up and a process in it (the target): sets NS and NS_PID.
make_netns() {
  NS="$1"
  ip netns add "$NS" || fail "ip netns add $NS"
  ip -n "$NS" link set lo up
  ip netns exec "$NS" sleep 600 </dev/null >/dev/null 2>&1 &
  NS_PID=$!
  poll 60 in_netns || fail "the target did not enter $NS"
}

in_netns() { [ "$(readlink /proc/$NS_PID/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }

drop_netns() { kill "$NS_PID" 2>/dev/null; ip netns del "$NS" 2>/dev/null; true; }

# Average ping RTT in ms (integer) inside the namespace, COUNT pings.
ping_avg() { ip netns exec "$NS" busybox ping -c "$2" -i 0.2 -W 2 127.0.0.1 | sed -n 's|.*min/avg/max = [0-9.]*/\([0-9]*\).*|\1|p'; }

# One counter of `nstat -az` inside the namespace.
counter() { ip netns exec "$NS" nstat -az "$1" | awk -v k="$1" '$1 == k {print $2}'; }

has_netem() { ip netns exec "$NS" tc qdisc show dev lo root | grep -q netem; }
no_netem() { ! has_netem; }

# cgroup v2 helpers.
CG=/sys/fs/cgroup
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }
proc_state() { awk '{print $3}' "/proc/$1/stat"; }

# A cgroup of its own for a target (as systemd gives a unit): sets TCG (its path) and TPID.
# COMMAND runs in it (bash -c).
make_target() {
  TCG="/$1"
  mkdir -p "$CG$TCG" || fail "mkdir $CG$TCG"
  bash -c "echo \$\$ > $CG$TCG/cgroup.procs; exec $2" </dev/null >/dev/null 2>&1 &
  TPID=$!
  poll 60 in_own_cgroup || fail "the target did not enter $TCG"
}

# Functions, not `poll N test "$(…)"`: poll re-runs a command, and $(…) in its arguments would be read once.
in_own_cgroup() { [ "$(cgroup_of $TPID)" = "$TCG" ]; }

drop_target() { kill -9 "$TPID" 2>/dev/null; poll 10 test ! -e "/proc/$TPID/stat" || true; rmdir "$CG$TCG" 2>/dev/null; true; }

# The layout a revert must restore: every cgroup.subtree_control from the root to the target's cgroup.
layout() { local p="" part; echo "/: $(cat $CG/cgroup.subtree_control)"; for part in ${TCG//\// }; do p="$p/$part"; echo "$p: $(cat $CG$p/cgroup.subtree_control)"; done; }

# The fault's child cgroup beneath the target's, or nothing.
child_of() { ls -d "$CG$TCG"/bev-chaos-* 2>/dev/null | head -n1; }
no_child() { [ -z "$(child_of)" ]; }

# Removes a fault that may already be gone (e.g. its target died): no error either way.
remove_any() { curl -sS -o /dev/null -X DELETE "$BEV_API/faults/$1"; true; }
