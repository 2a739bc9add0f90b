# budget: 90
# network_delay with a port filter: netem under an htb class that u32 filters feed with the
# target's traffic to and from that port, on its lo. A TCP connect to that port crosses the delay
# (SYN and SYN-ACK both cross lo), one to another port does not; removal leaves lo as it was.
make_netns bevvm-filtered
mkdir -p /tmp/www-filtered
ip netns exec "$NS" busybox httpd -f -p 127.0.0.1:9101 -h /tmp/www-filtered </dev/null >/dev/null 2>&1 &
SLOW=$!
ip netns exec "$NS" busybox httpd -f -p 127.0.0.1:9102 -h /tmp/www-filtered </dev/null >/dev/null 2>&1 &
FAST=$!
trap 'kill $SLOW $FAST 2>/dev/null; drop_netns' EXIT
answers() { ip netns exec "$NS" curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/"; }
both_answer() { answers 9101 && answers 9102; }
poll 30 both_answer || fail "the two httpd in the namespace do not answer"
# Milliseconds (integer) to establish a TCP connection to PORT inside the namespace.
connect_ms() { ip netns exec "$NS" curl -s -o /dev/null -m 5 -w '%{time_connect}' "http://127.0.0.1:$1/" | awk '{printf "%d", $1 * 1000}'; }
found=$(ip netns exec "$NS" tc qdisc show dev lo)
id=$(inject network_delay "pid:$NS_PID" 60 '{"mechanism":"kernel","device":"lo","port":9101,"delay_ms":100}') || fail "inject"
shown=$(ip netns exec "$NS" tc qdisc show dev lo)
grep -q "netem bcbd: parent bcbc:4" <<<"$shown" || fail "no netem under our htb class on lo: $shown"
slow=$(connect_ms 9101)
fast=$(connect_ms 9102)
remove "$id"
as_found() { [ "$(ip netns exec "$NS" tc qdisc show dev lo)" = "$found" ]; }
poll 20 as_found || fail "lo's qdiscs after removal are not as found: $(ip netns exec "$NS" tc qdisc show dev lo)"
after=$(connect_ms 9101)
measured "TCP connect to the filtered port ${slow} ms with delay 100ms on it, to another port ${fast} ms meanwhile; ${after} ms after removal; lo's qdiscs as found"
[ "${slow:-0}" -ge 150 ] || fail "connect to the filtered port took ${slow} ms, expected at least 150"
[ "${fast:-999}" -lt 100 ] || fail "connect to another port took ${fast} ms: the filter let the delay reach it"
[ "${after:-999}" -lt 100 ] || fail "connect after removal took ${after} ms"
