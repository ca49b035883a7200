/* What ward run --help and ward create --help print. */
#include "cli.h"

#define RUN_OPTIONS                                                                                \
	"  IMAGE                   a name in the store (ward image ls), or oci:DIR[:TAG],\n"       \
	"                          oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] "        \
	"(imported\n"                                                                              \
	"                          on first use); CMD replaces the image's Cmd\n"                  \
	"                          a registry reference ([HOST[:PORT]/]REPO[:TAG]) is pulled\n"    \
	"      --pull WHEN         missing (default): pull an image not in the store; always;\n"   \
	"                          never\n"                                                        \
	"      --platform P        OS/ARCH[/VARIANT] of the image pulled (default: this host's)\n" \
	"      --entrypoint PROG   replace the image's Entrypoint ('' clears it)\n"                \
	"      --rootfs DIR        root filesystem (never modified; writes go to a private "       \
	"layer)\n"                                                                                 \
	"      --read-only         no writable layer: the root is read-only\n"                     \
	"  -v, --volume HOST:CONTAINER[:rw|ro|overlay]  a host path inside (repeatable; after\n"   \
	"                          the entries of $SANDBOX_VOLUMES; the first volume is the\n"     \
	"                          working dir; overlay: writes go to a private layer)\n"          \
	"      --changes FILE      at exit, write what changed in overlay volumes to FILE (a "     \
	"tar\n"                                                                                    \
	"                          layer: paths from /, deletions as .wh. whiteouts)\n"            \
	"      --tmpfs PATH[:size=SIZE,mode=OCTAL,noexec]  a private tmpfs (repeatable)\n"         \
	"      --user-id U         run as U:U and show the caller's files as U's (default\n"       \
	"                          $SANDBOX_USER_ID; rootless: your uid is mapped to U)\n"         \
	"  -e, --env K=V|NAME      set an environment variable (repeatable); NAME alone: the\n"    \
	"                          caller's value of NAME (unset: not passed)\n"                   \
	"      --env-file FILE     read K=V lines from FILE\n"                                     \
	"  -w, --workdir DIR       working directory inside the sandbox\n"                         \
	"  -u, --user U[:G]        container user and group: ids, or names from the root's\n"      \
	"                          /etc/passwd and /etc/group (default: the image's User, or "     \
	"0:0)\n"                                                                                   \
	"      --hostname NAME     hostname inside the sandbox (default ward)\n"                   \
	"      --label K=V         a label (repeatable; ward ps --filter label=K[=V])\n"           \
	"  -t, --tty               allocate a terminal inside the sandbox\n"                       \
	"  -i, --interactive       pass stdin through (otherwise /dev/null)\n"                     \
	"      --timeout SECONDS   kill the whole sandbox after this wall-clock time\n"            \
	"      --rlimit NAME=SOFT[:HARD]  set a resource limit (e.g. nofile=1024:4096)\n"          \
	"      --policy NAME|FILE  seccomp policy (default: default; see ward policy ls)\n"        \
	"      --seccomp=unconfined  no syscall filter at all (warns)\n"                           \
	"      --allow-setuid      no no_new_privs: set-uid programs of the image (sudo, ping)\n"  \
	"                          work; container root stays unprivileged on the host\n"          \
	"      --allow-setid-volumes  let the sandbox make set-id files in rw volumes (warns;\n"   \
	"                          by default a sandbox with a rw volume cannot make any)\n"       \
	"      --cap-add CAP       keep a capability (CAP_ prefix optional; ALL)\n"                \
	"      --cap-drop CAP      drop a capability (ALL drops every one)\n"                      \
	"      --idmap-base N      (root) host id where container id 0 starts\n"                   \
	"\n"                                                                                       \
	"network (default: a namespace with only lo):\n"                                           \
	"  -p, --publish [ADDR:]HOSTPORT:PORT[/tcp]  forward host ADDR:HOSTPORT (ADDR default\n"   \
	"                          127.0.0.1; HOSTPORT 0 or PORT alone: a free port, printed) "    \
	"to\n"                                                                                     \
	"                          TCP PORT in the sandbox (repeatable)\n"                         \
	"      --network none|egress  egress: the sandbox may also connect out (NAT as root,\n"    \
	"                          pasta rootless); ward network connect|disconnect turn it\n"     \
	"                          on and off while it runs\n"                                     \
	"      --dns ADDR          resolver for the sandbox's resolv.conf (with egress, or for\n"  \
	"                          a later ward network connect; repeatable; default: the\n"       \
	"                          host's that are not on loopback)\n"                             \
	"\n"                                                                                       \
	"limits (cgroup v2, or v1 on hybrid hosts):\n"                                             \
	"      --memory SIZE       memory limit (e.g. 256m); an excess kills the sandbox (oom)\n"  \
	"      --memory-swap SIZE  swap allowed on top of --memory (default 0)\n"                  \
	"      --pids N            processes and threads\n"                                        \
	"      --cpus N            CPU time, in CPUs (e.g. 0.5, 1.5)\n"                            \
	"      --cpu-weight N      CPU share under contention, 1-10000 (default 100)\n"            \
	"      --cpuset LIST       CPUs allowed, e.g. 0-1\n"                                       \
	"      --io-max DEV:rbps=SIZE,wbps=SIZE,riops=N,wiops=N   block I/O limit\n"               \
	"      --disk SIZE         size of the writable layer (bytes and inodes)\n"                \
	"      --limits strict|best-effort  best-effort: without a usable cgroup, use rlimits\n"   \
	"                          and say so\n"                                                   \
	"  -h, --help              this text\n"

const char run_usage[] =
    "usage: ward run [OPTIONS] IMAGE [CMD [ARGS...]]\n"
    "       ward run [OPTIONS] --rootfs DIR [--] CMD [ARGS...]\n"
    "\n"
    "Runs CMD in a new sandbox and waits for it; the sandbox is gone when it ends.\n"
    "Options end at IMAGE (with --rootfs: at CMD or --).\n"
    "\n" RUN_OPTIONS "      --rm                accepted (ward run never leaves a sandbox behind)\n"
    "      --json              print one JSON result object on stderr at exit\n"
    "\n"
    "exit status: the command's, 128+N if killed by signal N, 125 if ward failed,\n"
    "126 if the command cannot be executed, 127 if it is not found.\n";

const char create_usage[] =
    "usage: ward create [OPTIONS] IMAGE [CMD [ARGS...]]\n"
    "       ward create [OPTIONS] --rootfs DIR [-- CMD [ARGS...]]\n"
    "\n"
    "Starts a sandbox that stays up for ward exec, and prints its id once it is ready.\n"
    "Without CMD it idles; with CMD it runs CMD (its output: ward logs) and stops when\n"
    "CMD ends. The image's own Cmd is not run. Options end at IMAGE.\n"
    "\n"
    "      --name NAME         a unique name, usable wherever an id is\n"
    "      --no-start          only make it (status created); ward start starts it\n"
    "      --persistent        with --name: reuse the sandbox of that name and spec\n"
    "                          (a stopped or created one is started, with its files)\n"
    "      --rm                remove it when it stops (else it stays, stopped, with its\n"
    "                          files, until ward rm)\n"
    "      --json              print {\"id\": ...} instead of the id\n"
    "\n"
    "ward run's options (--changes has no use here; -t and -i give CMD a terminal or a\n"
    "stdin for ward attach):\n" RUN_OPTIONS;
