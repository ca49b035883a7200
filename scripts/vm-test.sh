#!/usr/bin/env bash
# Runs the resource-limit tests on a pure cgroup v2 kernel: Debian's own kernel under
# qemu with software emulation, an initramfs of busybox and the kernel's virtio, 9p and
# overlay modules, the host's filesystem shared read-only over 9p. The host's cgroups are
# hybrid, so this is where the v2 backend is tested for real.
# usage: scripts/vm-test.sh [BUILD_DIR]   (default build; the binary under test)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[[ -x $build/ward && -x $build/tests/probe ]] || { echo "vm-test: build $build first" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "vm-test: run as root" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null
}

cache=/var/cache/ward-test/vm
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[[ -n $pkg ]] || { echo "vm-test: cannot find Debian's kernel package" >&2; exit 1; }
if [[ ! -d $cache/$pkg ]]; then
  (cd "$cache" && rm -f ./*.deb && apt-get download -qq "$pkg" 2>/dev/null && dpkg -x ./"$pkg"_*.deb "$pkg.tmp" &&
    mv "$pkg.tmp" "$pkg" && rm -f ./*.deb)
fi
kdir=$cache/$pkg
vmlinuz=$(ls "$kdir"/boot/vmlinuz-*)
mods=$(ls -d "$kdir"/lib/modules/*)

# initramfs: busybox, the init, and the modules in load order
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/root/{bin,proc,sys,dev,modules}
cp /bin/busybox "$work/root/bin/busybox"
cp tests/vm/init "$work/root/init"
chmod +x "$work/root/init"
for m in drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_pci_modern_dev \
  drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci fs/netfs/netfs fs/fscache/fscache \
  net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay; do
  cp "$mods/kernel/$m.ko" "$work/root/modules/"
done
(cd "$work/root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initrd.gz")

echo "vm-test: booting $pkg (TCG), testing $PWD/$build/ward on cgroup v2"
timeout 900 qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 2048 -smp 2 -nographic \
  -no-reboot -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 ward.repo=$PWD ward.build=$build" \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap </dev/null |
  tr -d "\r" | tee "$work/console.log" | grep -E "^(ok|not ok|#|VM-)" || true
grep -q "^VM-RESULT exit 0$" "$work/console.log" || { tail -40 "$work/console.log" >&2; exit 1; }
