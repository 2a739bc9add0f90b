# budget: 90
mkdir -p /tmp/bevvm-disk
mkfs.ext4 -q -F /dev/vda >/dev/null 2>&1 && mount /dev/vda /tmp/bevvm-disk || fail "no disk /dev/vda in the VM"
make_target bevvm-io.service "sleep 600"
trap 'drop_target; umount /tmp/bevvm-disk' EXIT
found="$(layout)"
dev=$(cat /sys/block/vda/dev)
id=$(inject io_delay "pid:$TPID" 60 '{"path":"/tmp/bevvm-disk","read_bps":0,"write_bps":1048576}') || fail "inject"
child=$(child_of)
[ -n "$child" ] || fail "no bev-chaos child under $TCG"
iomax=$(cat "$child/io.max")
# A direct write from inside the throttled cgroup: 2 MiB at 1 MiB/s.
t0=$(date +%s%N)
bash -c "echo \$\$ > $child/cgroup.procs; exec dd if=/dev/zero of=/tmp/bevvm-disk/f bs=256k count=8 oflag=direct" 2>/dev/null
t1=$(date +%s%N)
throttled_ms=$(( (t1 - t0) / 1000000 ))
remove "$id"
poll 20 no_child || fail "the child is still there"
t0=$(date +%s%N); dd if=/dev/zero of=/tmp/bevvm-disk/g bs=256k count=8 oflag=direct 2>/dev/null; t1=$(date +%s%N)
free_ms=$(( (t1 - t0) / 1000000 ))
after="$(layout)"
[ "$found" = "$after" ] || fail "layout changed: $found -> $after"
measured "io.max '$iomax' on $dev: a 2 MiB direct write took ${throttled_ms} ms inside the fault's cgroup, ${free_ms} ms after removal; child removed, layout as found"
[ "$iomax" = "$dev rbps=max wbps=1048576 riops=max wiops=max" ] || fail "io.max is '$iomax'"
[ "$throttled_ms" -ge 900 ] || fail "the throttled write took only ${throttled_ms} ms"
