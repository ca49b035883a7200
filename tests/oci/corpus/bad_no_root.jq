.root.path = "no-such-rootfs"
