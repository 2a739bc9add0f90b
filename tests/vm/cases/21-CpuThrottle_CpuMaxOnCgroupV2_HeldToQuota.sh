# budget: 90
make_target bevvm-cpu.service "bash -c 'while :; do :; done'"
trap drop_target EXIT
found="$(layout)"
id=$(inject cpu_throttle "pid:$TPID" 60 '{"cpu_percent":20}') || fail "inject"
child=$(child_of)
[ -n "$child" ] || fail "no bev-chaos child under $TCG"
max=$(cat "$child/cpu.max")
usage() { awk '$1 == "usage_usec" {print $2}' "$child/cpu.stat"; }
u0=$(usage); t0=$(date +%s%N); poll 5 false; u1=$(usage); t1=$(date +%s%N)
rate=$(( (u1 - u0) * 1000 * 100 / (t1 - t0) ))
remove "$id"
poll 20 no_child || fail "the child is still there"
[ "$(cgroup_of $TPID)" = "$TCG" ] || fail "the target is not back in $TCG"
after="$(layout)"
[ "$found" = "$after" ] || fail "layout changed: $found -> $after"
measured "cpu.max '$max': the busy target used ${rate}% of a core over 5 s (quota 20%); after removal back in $TCG, subtree_control as found"
[ "$max" = "20000 100000" ] || fail "cpu.max is '$max'"
[ "$rate" -le 40 ] || fail "usage ${rate}% is above the 20% quota (loosely: 40%)"
[ "$rate" -ge 3 ] || fail "usage ${rate}%: the target hardly ran"
