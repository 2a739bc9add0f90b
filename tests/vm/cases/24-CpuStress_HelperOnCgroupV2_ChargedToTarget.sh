# budget: 90
make_target bevvm-stress.service "sleep 600"
trap drop_target EXIT
u0=$(awk '$1 == "usage_usec" {print $2}' "$CG$TCG/cpu.stat")
id=$(inject cpu_stress "pid:$TPID" 60 '{"workers":1,"load_percent":50}') || fail "inject"
members() { wc -l <"$CG$TCG/cgroup.procs"; }
helper_joined() { [ "$(members)" -ge 2 ]; }
helper_gone() { [ "$(members)" -eq 1 ]; }
poll 20 helper_joined || fail "no helper joined $TCG: $(cat $CG$TCG/cgroup.procs)"
helper=$(grep -v "^$TPID\$" "$CG$TCG/cgroup.procs" | head -n1)
poll 5 false
u1=$(awk '$1 == "usage_usec" {print $2}' "$CG$TCG/cpu.stat")
remove "$id"
poll 20 helper_gone || fail "the helper is still in $TCG"
measured "cpu_stress helper pid $helper ran in $TCG: the cgroup's usage_usec grew by $(( (u1 - u0) / 1000 )) ms of CPU; helper gone after removal"
[ $((u1 - u0)) -gt 100000 ] || fail "the target's cgroup was charged only $((u1 - u0)) us"
