# budget: 90
# network_delay with mechanism=kernel: tc netem on the target's namespace; ping's RTT measures it.
make_netns bevvm-delay
trap drop_netns EXIT
before=$(ping_avg x 5)
id=$(inject network_delay "pid:$NS_PID" 60 '{"mechanism":"kernel","device":"lo","delay_ms":100,"jitter_ms":10}') || fail "inject"
has_netem || fail "no netem qdisc on lo after the injection: $(ip netns exec $NS tc qdisc show dev lo)"
during=$(ping_avg x 5)
remove "$id"
poll 20 no_netem || fail "the netem qdisc is still there after removal"
after=$(ping_avg x 5)
measured "ping RTT avg ${before} ms before, ${during} ms with delay 100ms±10ms (both directions cross lo), ${after} ms after removal"
[ "${during:-0}" -ge 150 ] || fail "RTT with the delay is ${during} ms, expected at least 150"
[ "${after:-999}" -lt 100 ] || fail "RTT after removal is ${after} ms"
