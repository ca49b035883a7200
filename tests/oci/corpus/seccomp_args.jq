# seccomp with an argument condition: personality(PER_LINUX32) fails with ENOSYS,
# personality(PER_LINUX) still works.
.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [{names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 38,
              args: [{index: 0, value: 8, op: "SCMP_CMP_EQ"}]}]}
| .process.args = ["/bin/sh", "-c", "linux32 uname -m; echo linux32=$?; linux64 uname -m; echo linux64=$?"]
