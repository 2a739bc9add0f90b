# budget: 60
make_target bevvm-pause.service "sleep 600"
trap drop_target EXIT
found="$(layout)"
id=$(inject service_pause "pid:$TPID" 60 '{"method":"freezer"}') || fail "inject"
child=$(child_of)
[ -n "$child" ] || fail "no bev-chaos child under $TCG"
poll 20 grep -q '^frozen 1' "$child/cgroup.events" || fail "cgroup.events: $(cat $child/cgroup.events)"
state=$(proc_state $TPID)
[ "$(cgroup_of $TPID)" = "${child#$CG}" ] || fail "the target is not in the child"
remove "$id"
poll 20 no_child || fail "the child is still there"
[ "$(cgroup_of $TPID)" = "$TCG" ] || fail "the target is not back in $TCG"
after="$(layout)"
[ "$found" = "$after" ] || fail "layout changed: $found -> $after"
measured "freezer v2: $child cgroup.events frozen 1, /proc/PID/stat state $state; after removal state $(proc_state $TPID), back in $TCG, layout unchanged"
