# budget: 90
mkdir -p /tmp/bevvm-disk
mkfs.minix /dev/vda >/dev/null 2>&1 && mount -t minix /dev/vda /tmp/bevvm-disk || fail "no disk /dev/vda in the VM"
make_target bevvm-io.service "sleep 600"
trap 'drop_target; umount /tmp/bevvm-disk' EXIT
found="$(layout)"
dev=$(cat /sys/block/vda/dev)
id=$(inject io_delay "pid:$TPID" 60 '{"path":"/tmp/bevvm-disk","read_bps":1048576,"write_bps":0}') || fail "inject"
child=$(child_of)
[ -n "$child" ] || fail "no bev-chaos child under $TCG"
iomax=$(cat "$child/io.max")
# A direct read of the disk from inside the throttled cgroup: 2 MiB at 1 MiB/s (minix, the one
# filesystem this VM loads, has no O_DIRECT of its own; the block device has).
t0=$(date +%s%N)
bash -c "echo \$\$ > $child/cgroup.procs; exec dd if=/dev/vda of=/dev/null bs=256k count=8 iflag=direct" 2>/dev/null
t1=$(date +%s%N)
throttled_ms=$(( (t1 - t0) / 1000000 ))
remove "$id"
poll 20 no_child || fail "the child is still there"
t0=$(date +%s%N); dd if=/dev/vda of=/dev/null bs=256k count=8 skip=8 iflag=direct 2>/dev/null; t1=$(date +%s%N)
free_ms=$(( (t1 - t0) / 1000000 ))
after="$(layout)"
[ "$found" = "$after" ] || fail "layout changed: $found -> $after"
measured "io.max '$iomax' on $dev: a 2 MiB direct read took ${throttled_ms} ms inside the fault's cgroup, ${free_ms} ms after removal; child removed, layout as found"
[ "$iomax" = "$dev rbps=1048576 wbps=max riops=max wiops=max" ] || fail "io.max is '$iomax'"
[ "$throttled_ms" -ge 900 ] || fail "the throttled read took only ${throttled_ms} ms"
