# budget: 90
# The target grows only once the limit is in place (tail buffers /dev/zero's endless line); it
# waits on a FIFO, so it forks nothing meanwhile.
rm -f /tmp/bevvm-grow && mkfifo /tmp/bevvm-grow
make_target bevvm-mem.service "bash -c 'read -r _ </tmp/bevvm-grow; exec tail /dev/zero'"
trap drop_target EXIT
found="$(layout)"
id=$(inject memory_limit "pid:$TPID" 60 '{"limit_mb":32}') || fail "inject"
child=$(child_of)
[ -n "$child" ] || fail "no bev-chaos child under $TCG"
max=$(cat "$child/memory.max")
echo go >/tmp/bevvm-grow
oom() { [ ! -e "/proc/$TPID/stat" ] || [ "$(awk '$1=="oom_kill"{print $2}' "$child/memory.events")" != 0 ]; }
poll 60 oom || fail "the growing target was not stopped: memory.current $(cat $child/memory.current)"
events=$(tr '\n' ' ' <"$child/memory.events")
peak=$(cat "$child/memory.peak" 2>/dev/null || cat "$child/memory.current")
remove_any "$id"
poll 20 no_child || fail "the child is still there"
after="$(layout)"
[ "$found" = "$after" ] || fail "layout changed: $found -> $after"
measured "memory.max $max: the growing target was OOM-killed at the limit (memory.events: $events; peak $peak bytes); child removed, layout as found"
[ "$max" = $((32 * 1024 * 1024)) ] || fail "memory.max is $max"
