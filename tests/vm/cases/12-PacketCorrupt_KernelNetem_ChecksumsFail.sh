# budget: 90
# packet_corrupt: netem flips a bit in packets; the receiving stack counts checksum/header errors.
make_netns bevvm-corrupt
trap drop_netns EXIT
errors() { echo $(( $(counter IcmpInCsumErrors) + $(counter IpInHdrErrors) + $(counter IpExtInCsumErrors) )); }
id=$(inject packet_corrupt "pid:$NS_PID" 60 '{"mechanism":"kernel","device":"lo","percent":100}') || fail "inject"
has_netem || fail "no netem qdisc on lo"
e0=$(errors)
got=$(ip netns exec "$NS" busybox ping -c 20 -i 0.2 -W 1 127.0.0.1 | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
e1=$(errors)
remove "$id"
poll 20 no_netem || fail "the netem qdisc is still there after removal"
clean=$(ip netns exec "$NS" busybox ping -c 10 -i 0.2 -W 2 127.0.0.1 | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
e2=$(errors)
measured "corrupt 100%: 20 pings, ${got} replies, $((e1 - e0)) checksum/header errors counted; after removal 10 pings, ${clean} replies, $((e2 - e1)) errors"
[ $((e1 - e0)) -ge 5 ] || fail "only $((e1 - e0)) checksum errors"
[ "$clean" -eq 10 ] && [ $((e2 - e1)) -eq 0 ] || fail "packets still corrupted after removal"
