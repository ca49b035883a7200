# seccomp: allow by default, mkdir and mkdirat fail with errnoRet 13 (EACCES); without
# errnoRet (rmdir) the errno is EPERM.
.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13},
             {names: ["rmdir"], action: "SCMP_ACT_ERRNO"}]}
| .process.args = ["/bin/sh", "-c", "mkdir /tmp/d; rmdir /etc; echo end"]
