.linux.seccomp = {defaultAction: "SCMP_ACT_BOGUS"}
