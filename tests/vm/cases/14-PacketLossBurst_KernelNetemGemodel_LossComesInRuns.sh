# budget: 150
# packet_loss_burst: netem's Gilbert–Elliott loss on the target's lo (p 10 %, r 30 %, all lost when
# bad): a share of 200 pings is lost, in runs of consecutive pings, and none after removal.
make_netns bevvm-burst
trap drop_netns EXIT
# The sequence numbers answered of COUNT pings, 20 ms apart, one per line.
answered() { ip netns exec "$NS" busybox ping -c "$1" -i 0.02 -W 1 127.0.0.1 | sed -n 's/.*seq=\([0-9]*\).*/\1/p' | sort -n -u; }
id=$(inject packet_loss_burst "pid:$NS_PID" 60 '{"mechanism":"kernel","device":"lo","enter_bad_percent":10,"leave_bad_percent":30}') || fail "inject"
has_netem || fail "no netem qdisc on lo: $(ip netns exec $NS tc qdisc show dev lo)"
ip netns exec "$NS" tc qdisc show dev lo root | grep -q "gemodel" || fail "netem without gemodel: $(ip netns exec $NS tc qdisc show dev lo root)"
got=$(answered 200)
lost=$((200 - $(wc -l <<<"$got")))
# The longest run of consecutive pings without an answer.
run=$( (echo -1; echo "$got"; echo 200) | awk 'NR > 1 && $1 - prev - 1 > best { best = $1 - prev - 1 } { prev = $1 } END { print best + 0 }')
remove "$id"
poll 20 no_netem || fail "the netem qdisc is still there after removal"
after=$((100 - $(answered 100 | wc -l)))
measured "pings lost of 200 with gemodel p 10% r 30%: ${lost} (longest run ${run}); of 100 after removal: ${after}"
# 25 % of packets lost in the long run, a request and its reply both crossing lo: 19 % to 44 %
# of pings, in bursts; the bounds leave room for a bursty process's spread.
[ "$lost" -ge 10 ] && [ "$lost" -le 170 ] || fail "${lost} of 200 lost, expected 10 to 170"
[ "$run" -ge 2 ] || fail "no two consecutive pings lost: the loss did not come in bursts"
[ "$after" -eq 0 ] || fail "${after} pings still lost after removal"
