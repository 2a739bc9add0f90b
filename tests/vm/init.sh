#!/bin/sh
# /init of the test VM's initramfs (busybox sh): load the kernel's own modules, mount the host's
# root read-only over 9p, give it tmpfs for writes and the guest's /proc /sys /dev, mount cgroup2,
# then run the host's command runner (bash in a chroot of it) on the writable share until the host
# asks for a power-off or the deadline comes.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/modules/order); do
  insmod "/lib/modules/$m.ko" || echo "bev-vm: insmod $m failed"
done

timeout=480
runner=""
repo=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    bev.timeout=*) timeout="${arg#bev.timeout=}" ;;
    bev.runner=*) runner="${arg#bev.runner=}" ;;
    bev.repo=*) repo="${arg#bev.repo=}" ;;
  esac
done
# The hard bound: whatever the host does, the VM ends by then.
(sleep "$timeout"; echo "bev-vm: deadline of ${timeout}s reached, powering off"; poweroff -f) &

R=/mnt/root
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot "$R"; then
  echo "bev-vm: mounting the host's root failed"; poweroff -f
fi
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"
mount -t devtmpfs devtmpfs "$R/dev"
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts devpts "$R/dev/pts"
mount -t tmpfs tmpfs "$R/dev/shm"
for d in tmp run var/tmp root; do mount -t tmpfs tmpfs "$R/$d"; done
# A repository under one of those tmpfs is hidden by it: mount its own share back in place.
if [ -n "$repo" ] && [ ! -e "$R$runner" ]; then
  mkdir -p "$R$repo"
  if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro bevrepo "$R$repo"; then
    echo "bev-vm: mounting the repository at $repo failed"; poweroff -f
  fi
fi
ip link set lo up 2>/dev/null || true
echo "bev-vm: ready: $(uname -r), cgroup2 controllers: $(cat "$R/sys/fs/cgroup/cgroup.controllers")"

mkdir -p "$R/run/bev"
if ! mount -t 9p -o trans=virtio,version=9p2000.L bevshare "$R/run/bev"; then
  echo "bev-vm: mounting the share failed"; poweroff -f
fi
chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root TMPDIR=/tmp TERM=dumb DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  /bin/bash --noprofile --norc "$runner" /run/bev </dev/null
echo "bev-vm: runner ended"
poweroff -f
