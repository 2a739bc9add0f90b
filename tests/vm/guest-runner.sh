#!/usr/bin/env bash
# Runs inside the test VM (bash in a chroot of the host's root): executes each command file the
# host drops into SHARE/cmd (N.sh, written under another name and renamed, so never half-read),
# one at a time, writing SHARE/out/N.out (stdout and stderr) and then SHARE/out/N.rc (exit code).
# A command file named poweroff ends the runner, and with it the VM.
share="$1"
cd /tmp || exit 1
uname -r >"$share/ready.tmp" && mv "$share/ready.tmp" "$share/ready"
while :; do
  for cmd in "$share"/cmd/*.sh; do
    [ -e "$cmd" ] || continue
    n="${cmd##*/}"
    n="${n%.sh}"
    bash "$cmd" >"$share/out/$n.out" 2>&1 </dev/null
    echo $? >"$share/out/$n.rc.tmp"
    mv "$share/out/$n.rc.tmp" "$share/out/$n.rc"
    rm -f "$cmd"
  done
  [ -e "$share/cmd/poweroff" ] && exit 0
  sleep 0.2
done
