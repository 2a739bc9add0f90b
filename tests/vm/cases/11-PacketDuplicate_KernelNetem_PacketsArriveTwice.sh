# budget: 90
# packet_duplicate: every packet through the target's lo is sent twice; the kernel's counters show it.
make_netns bevvm-dup
trap drop_netns EXIT
id=$(inject packet_duplicate "pid:$NS_PID" 60 '{"mechanism":"kernel","device":"lo","percent":100}') || fail "inject"
has_netem || fail "no netem qdisc on lo"
out0=$(counter IcmpOutEchos) in0=$(counter IcmpInEchos)
ip netns exec "$NS" busybox ping -c 10 -i 0.2 -W 2 127.0.0.1 >/dev/null
out1=$(counter IcmpOutEchos) in1=$(counter IcmpInEchos)
remove "$id"
poll 20 no_netem || fail "the netem qdisc is still there after removal"
ip netns exec "$NS" busybox ping -c 10 -i 0.2 -W 2 127.0.0.1 >/dev/null
out2=$(counter IcmpOutEchos) in2=$(counter IcmpInEchos)
measured "echo requests sent/received with duplicate 100%: $((out1 - out0))/$((in1 - in0)); after removal: $((out2 - out1))/$((in2 - in1))"
[ $((in1 - in0)) -ge $(( (out1 - out0) * 3 / 2 )) ] || fail "requests were not duplicated"
[ $((in2 - in1)) -eq $((out2 - out1)) ] || fail "requests still duplicated after removal"
