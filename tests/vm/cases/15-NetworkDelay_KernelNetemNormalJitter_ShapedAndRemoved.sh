# budget: 90
# network_delay in the kernel with its jitter shaped: netem delay 100ms 40ms 25% distribution normal
# on the target's lo (tc loads the normal table); RTTs spread around 200 ms, and none after removal.
make_netns bevvm-jitter
trap drop_netns EXIT
id=$(inject network_delay "pid:$NS_PID" 60 '{"mechanism":"kernel","device":"lo","delay_ms":100,"jitter_ms":40,"correlation_percent":25,"distribution":"normal"}') || fail "inject"
qdisc=$(ip netns exec "$NS" tc qdisc show dev lo root)
grep -q "delay 100ms  40ms 25%" <<<"$qdisc" || fail "netem without the shaped jitter: $qdisc"
rtts=$(ip netns exec "$NS" busybox ping -c 20 -i 0.1 -W 2 127.0.0.1 | sed -n 's/.*time=\([0-9]*\).*/\1/p')
low=$(sort -n <<<"$rtts" | head -1) high=$(sort -n <<<"$rtts" | tail -1) median=$(sort -n <<<"$rtts" | sed -n "$(( ($(wc -l <<<"$rtts") + 1) / 2 ))p")
remove "$id"
poll 20 no_netem || fail "the netem qdisc is still there after removal"
after=$(ping_avg x 5)
measured "$(wc -l <<<"$rtts") RTTs with delay 100ms ± 40ms (normal, 25 % correlated) each way: ${low} to ${high} ms, median ${median}; avg ${after} ms after removal"
# Two crossings of lo, each 100 ms with σ 40 ms (netem clamps below 0): the median near 200 ms.
[ "${median:-0}" -ge 100 ] && [ "${median:-0}" -le 300 ] || fail "median RTT ${median} ms, expected 100..300 for 2 × (100 ± 40) ms"
[ $((high - low)) -ge 10 ] || fail "RTTs ${low}..${high} ms: no jitter"
[ "${after:-999}" -lt 50 ] || fail "RTT after removal is ${after} ms"
