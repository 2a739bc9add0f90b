#!/usr/bin/env bash
# The VM the cgroup-v2 and netem tests run in: Debian's stock kernel (unpacked from its package,
# never installed on the host) under qemu TCG, a busybox-static initramfs that loads the kernel's
# own virtio/9p/netem modules, the host's root mounted read-only over 9p with tmpfs for writes.
#
#   vm.sh prepare        downloads and unpacks the kernel, builds the initramfs (cached)
#   vm.sh boot DIR       boots it (foreground; exits when the VM does). DIR gets console.log and
#                        share/, mounted writable in the VM at /run/bev: a runner (guest-runner.sh,
#                        bash in a chroot of the host's root) executes each share/cmd/N.sh and
#                        writes share/out/N.out and N.rc. The VM powers itself off after
#                        BEV_VM_TIMEOUT seconds (default 480) whatever the host does.
#   vm.sh check          prints why the VM cannot run here, or nothing (exit 0) when it can
#
# No network leaves the VM (-nic none): tests send traffic only inside it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The repository is shared on its own too: a clone under /tmp (or /run, /root) would be hidden in
# the VM by the tmpfs mounted there.
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${BEV_VM_CACHE:-/var/cache/bev-chaos-vm}"
TIMEOUT="${BEV_VM_TIMEOUT:-480}"
# Loaded in this order (dependencies first); any a kernel has built in is skipped.
MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p sch_netem sch_htb cls_u32 virtio_blk minix)

log() { echo "vm.sh: $*" >&2; }

check() {
  [ "$(id -u)" = 0 ] || { echo "not root (the VM's tests act as root inside it; preparing it needs apt-get)"; return 1; }
  command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"; return 1; }
  command -v cpio >/dev/null || { echo "cpio is not installed"; return 1; }
  [ -x /bin/busybox ] || { echo "busybox-static is not installed (/bin/busybox)"; return 1; }
  return 0
}

kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}

prepare() {
  check >&2 || exit 1
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
  local pkg
  pkg="$(kernel_package)"
  if [ -z "$pkg" ]; then
    # Offline with a cache from an earlier run: use the kernel already unpacked.
    pkg="$(cat "$CACHE/package" 2>/dev/null || true)"
    [ -n "$pkg" ] || { log "apt-cache names no linux-image-*-amd64 (run apt-get update)"; exit 1; }
  fi
  local version="${pkg#linux-image-}"
  local tree="$CACHE/$pkg"
  if [ ! -f "$tree/.unpacked" ]; then
    log "fetching $pkg"
    rm -rf "$tree" && mkdir -p "$tree/deb"
    (cd "$tree/deb" && apt-get download "$pkg" >/dev/null 2>&1) || { log "apt-get download $pkg failed"; exit 1; }
    dpkg -x "$tree"/deb/*.deb "$tree/root"
    touch "$tree/.unpacked"
  fi
  local initrd="$tree/initrd.gz"
  if [ ! -f "$initrd" ] || [ "$HERE/vm.sh" -nt "$initrd" ] || [ "$HERE/init.sh" -nt "$initrd" ] || [ /bin/busybox -nt "$initrd" ]; then
    log "building the initramfs for $version"
    local staging="$tree/initramfs"
    rm -rf "$staging" && mkdir -p "$staging"/{bin,dev,proc,sys,mnt/root,lib/modules}
    cp /bin/busybox "$staging/bin/busybox"
    ln -s busybox "$staging/bin/sh"
    install -m 0755 "$HERE/init.sh" "$staging/init"
    local moddir="$tree/root/lib/modules/$version" order=()
    for m in "${MODULES[@]}"; do
      local ko
      ko="$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" | head -n1)"
      if [ -z "$ko" ]; then
        grep -q "/$m.ko\$" "$moddir/modules.builtin" 2>/dev/null && continue
        log "module $m is neither in $moddir nor built in"; exit 1
      fi
      # busybox insmod reads plain .ko only: decompress on the host.
      case "$ko" in
        *.xz) xz -dc "$ko" >"$staging/lib/modules/$m.ko" ;;
        *.zst) zstd -dcq "$ko" >"$staging/lib/modules/$m.ko" ;;
        *.gz) gzip -dc "$ko" >"$staging/lib/modules/$m.ko" ;;
        *) cp "$ko" "$staging/lib/modules/$m.ko" ;;
      esac
      order+=("$m")
    done
    echo "${order[*]}" >"$staging/lib/modules/order"
    (cd "$staging" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
  fi
  echo "$pkg" >"$CACHE/package"
  ln -sfn "$tree/root/boot/vmlinuz-$version" "$CACHE/vmlinuz"
  ln -sfn "$initrd" "$CACHE/initrd.gz"
}

boot() {
  local dir="$1"
  mkdir -p "$dir/share/cmd" "$dir/share/out"
  # A small sparse disk (/dev/vda in the VM) for the block-I/O throttling tests.
  truncate -s 256M "$dir/disk.img"
  # panic=-1 with -no-reboot: a guest panic ends qemu at once instead of hanging.
  exec setpriv --pdeathsig KILL -- qemu-system-x86_64 -accel tcg -m 2048 -smp 2 -nographic -no-reboot -nic none \
    -monitor none -serial "file:$dir/console.log" \
    -drive "file=$dir/disk.img,format=raw,if=virtio" \
    -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.gz" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$dir/share,mount_tag=bevshare,security_model=none" \
    -virtfs "local,path=$REPO,mount_tag=bevrepo,security_model=none,readonly=on,multidevs=remap" \
    -append "console=ttyS0 panic=-1 quiet bev.timeout=$TIMEOUT bev.runner=$HERE/guest-runner.sh bev.repo=$REPO"
}

case "${1:-}" in
  prepare) prepare ;;
  boot) [ $# -eq 2 ] || { log "usage: vm.sh boot DIR"; exit 2; }; boot "$2" ;;
  check) check ;;
  *) log "usage: vm.sh prepare | boot DIR | check"; exit 2 ;;
esac
