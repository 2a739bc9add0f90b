# budget: 90
# packet_reorder: netem delay 100ms reorder 50% on the target's lo; pings sent every 50 ms come
# back out of order (a reply of a later ping before an earlier one's), and in order after removal.
make_netns bevvm-reorder
trap drop_netns EXIT
# How many replies arrived after a reply to a later ping (COUNT pings, 50 ms apart).
inversions() {
  ip netns exec "$NS" busybox ping -c "$1" -i 0.05 -W 2 127.0.0.1 | sed -n 's/.*seq=\([0-9]*\).*/\1/p' |
    awk 'BEGIN { max = -1; n = 0 } { if ($1 < max) n++; else max = $1 } END { print n }'
}
id=$(inject packet_reorder "pid:$NS_PID" 60 '{"mechanism":"kernel","device":"lo","percent":50,"delay_ms":100}') || fail "inject"
has_netem || fail "no netem qdisc on lo: $(ip netns exec $NS tc qdisc show dev lo)"
ip netns exec "$NS" tc qdisc show dev lo root | grep -q "reorder 50%" || fail "netem without reorder: $(ip netns exec $NS tc qdisc show dev lo root)"
during=$(inversions 40)
remove "$id"
poll 20 no_netem || fail "the netem qdisc is still there after removal"
after=$(inversions 40)
measured "replies out of order in 40 pings 50 ms apart: ${during} with delay 100ms reorder 50%, ${after} after removal"
[ "${during:-0}" -ge 3 ] || fail "only ${during} replies out of order with reorder 50%"
[ "${after:-1}" -eq 0 ] || fail "${after} replies still out of order after removal"
