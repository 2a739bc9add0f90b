# budget: 420
# SIGKILL the engine while a v2 cpu.max fault is active; the next start reverts every v2 change.
# The target sleeps: what is checked is the cgroup layout, and a busy target would take the
# VM's CPU from the restarting engine once the revert lifts its quota.
make_target bevvm-crash.service "sleep 600"
trap drop_target EXIT
found="$(layout)"
inject cpu_throttle "pid:$TPID" 120 '{"cpu_percent":10}' >/dev/null || fail "inject cpu_throttle"
[ -n "$(child_of)" ] || fail "no child"
during="$(layout)"
kill -9 "$(cat /tmp/bev-serve.pid)"
dead() { ! curl -sf -o /dev/null "$BEV_API/health"; }
poll 20 dead || fail "the engine did not die"
[ -n "$(child_of)" ] || fail "the child vanished with the engine (nothing to recover)"
start_engine 400
poll 30 no_child || fail "the child is still there after the restart"
[ "$(cgroup_of $TPID)" = "$TCG" ] || fail "the target is not back in $TCG"
after="$(layout)"
measured "engine SIGKILLed with cpu_throttle active (subtree_control during: $(echo $during)); the next start removed the child, moved the target back and restored: $(echo $after)"
[ "$found" = "$after" ] || fail "layout changed: $found -> $after"
