#!/usr/bin/env bats
# The network: loopback only by default, --publish (veth as root, the sandbox's own loopback
# rootless), --network egress and ward network disconnect, bad input, and what is left on
# the host afterwards. Traffic goes only to this machine or to namespaces the tests make.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
  cp "$NETPROBE" "$ROOTFS/bin/"
}

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  outside_pid=
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
  [[ -z $outside_pid ]] || remove_outside
  no_net_leftovers
}

# The address another sandbox would use to reach sandbox $1: its veth address as root, and
# rootless the only one it has, loopback.
address_of() {
  if rootless; then echo 127.0.0.1; else ward inspect "$1" | jq -r .network.address; fi
}

# "The outside": a network namespace made here, joined to the host by a veth, with a server
# at 198.18.0.2:9000 (a benchmarking range, never routed beyond this machine).
make_outside() {
  outside=ward-test-out-$$
  ip netns add "$outside"
  ip link add "wt-h$$" type veth peer name wt-o netns "$outside"
  ip addr add 198.18.0.1/24 dev "wt-h$$"
  ip link set "wt-h$$" up
  ip -n "$outside" addr add 198.18.0.2/24 dev wt-o
  ip -n "$outside" link set wt-o up
  ip -n "$outside" link set lo up
  ip netns exec "$outside" "$NETPROBE" hello-server 9000 outside >"$BATS_TEST_TMPDIR/outside.log" &
  outside_pid=$!
  wait_listening "$BATS_TEST_TMPDIR/outside.log"
}

remove_outside() {
  kill "$outside_pid" 2>/dev/null || true
  wait "$outside_pid" 2>/dev/null || true
  ip netns del "$outside" 2>/dev/null || true
  ip link del "wt-h$$" 2>/dev/null || true
  outside_pid=
}

# ward as the unprivileged test user, from the root half, over a root filesystem it can read.
user_ward() {
  setpriv --reuid="$WARD_TEST_USER" --regid="$WARD_TEST_USER" --init-groups \
    env HOME=/tmp WARD_STATE_DIR="$user_state" "$WARD" "$@"
}

user_rootfs() {
  user_root=$(mktemp -d /tmp/ward-net-XXXXXX)
  chmod 755 "$user_root"
  "$MKROOTFS" "$user_root/rootfs" "$PROBE" "$NETPROBE" >/dev/null
  user_state=$user_root/state
  mkdir -m 700 "$user_state"
  chown "$WARD_TEST_USER:" "$user_state"
}

@test "by default only lo: the host's loopback, other sandboxes and the metadata address are out of reach" {
  run ward run --rootfs "$ROOTFS" -- probe links
  [ "$status" -eq 0 ]
  [ "$output" = lo ]
  a=$(ward create -p 0:8080 --rootfs "$ROOTFS" -- netprobe hello-server 8080 A)
  wait_published "$(host_port "$a" 8080)"
  addr=$(address_of "$a")
  # a sandbox without network, and one with a veth of its own, cannot reach it
  run ward run --rootfs "$ROOTFS" -- netprobe connect "$addr" 8080
  [ "$status" -eq 1 ]
  [[ $output == "Network is unreachable" || $output == "Connection refused" ]]
  run ward run -p 0:1 --rootfs "$ROOTFS" -- sh -c "netprobe connect $addr 8080; netprobe connect 169.254.169.254 80"
  [ "$status" -eq 1 ]
  [[ $output != *connected* ]]
  if ! rootless; then
    # nor the host's end of its own veth, nor the host's services behind it
    run ward run -p 0:1 --rootfs "$ROOTFS" -- sh -c 'netprobe connect $(ip route | sed -n "s/.* src \([0-9.]*\).*/\1/p" | sed "s/\.[0-9]*$/.1/") 22'
    [ "$status" -eq 1 ]
    [[ $output != *connected* ]]
  fi
}

@test "a published port echoes megabytes byte for byte, over many connections at once" {
  id=$(ward create -p 0:7000 --rootfs "$ROOTFS" -- netprobe echo-server 7000)
  port=$(host_port "$id" 7000)
  [[ $port =~ ^[0-9]+$ ]]
  [ "$port" -gt 0 ]
  wait_published "$port"
  run "$NETPROBE" echo-check 127.0.0.1 "$port" 8000000 1
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  run "$NETPROBE" echo-check 127.0.0.1 "$port" 300000 64
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = "64/64 connections echoed 300000 bytes exactly" ]
}

@test "published ports listen on 127.0.0.1 unless another address is asked for" {
  lo=$(ward create -p 0:7000 --rootfs "$ROOTFS" -- netprobe hello-server 7000 lo)
  any=$(ward create -p 0.0.0.0:0:7000 --rootfs "$ROOTFS" -- netprobe hello-server 7000 any)
  plo=$(host_port "$lo" 7000) pany=$(host_port "$any" 7000)
  [[ $(ward port "$lo") == "7000/tcp -> 127.0.0.1:$plo" ]]
  [[ $(ward port "$any") == "7000/tcp -> 0.0.0.0:$pany" ]]
  ss -Hltn "sport = :$plo" | grep -q " 127.0.0.1:$plo "
  ss -Hltn "sport = :$pany" | grep -q " 0.0.0.0:$pany "
  wait_published "$plo" && wait_published "$pany"
  # an IPv6 host address, in brackets
  v6=$(ward create -p '[::1]:0:7000' --rootfs "$ROOTFS" -- netprobe hello-server 7000 six)
  pv6=$(host_port "$v6" 7000)
  [[ $(ward port "$v6") == "7000/tcp -> [::1]:$pv6" ]]
  for _ in $(seq 50); do
    # the forwarder may accept before the server inside listens: that one reads nothing
    got=$(python3 -c 'import socket,sys; print(socket.create_connection(("::1", int(sys.argv[1]))).recv(9).decode())' "$pv6" 2>/dev/null)
    [ "$got" = six ] && break
    sleep 0.05
  done
  [ "$got" = six ]
  # through one of the host's own other addresses, if it has one
  global=$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1)
  if [[ -n $global ]]; then
    run "$NETPROBE" connect "$global" "$plo"
    [ "$status" -eq 1 ]
    run "$NETPROBE" connect "$global" "$pany"
    [ "$status" -eq 0 ]
    [[ $output == *any* ]]
  fi
}

@test "two sandboxes publishing the same port on different host ports do not interfere" {
  a=$(ward create -p 0:8080 --rootfs "$ROOTFS" -- netprobe hello-server 8080 AAA)
  b=$(ward create -p 0:8080 --rootfs "$ROOTFS" -- netprobe hello-server 8080 BBB)
  pa=$(host_port "$a" 8080) pb=$(host_port "$b" 8080)
  [ "$pa" != "$pb" ]
  wait_published "$pa" && wait_published "$pb"
  for _ in 1 2 3; do
    [[ $("$NETPROBE" connect 127.0.0.1 "$pa") == *AAA* ]]
    [[ $("$NETPROBE" connect 127.0.0.1 "$pb") == *BBB* ]]
  done
  ward rm -f "$a"
  [[ $("$NETPROBE" connect 127.0.0.1 "$pb") == *BBB* ]]
  run "$NETPROBE" connect 127.0.0.1 "$pa"
  [ "$status" -eq 1 ]
}

@test "ward run prints a port the host chose and reports it in --json" {
  run ward run -p 0:8080 -p 127.0.0.1:0:9090 --json --rootfs "$ROOTFS" -- true
  [ "$status" -eq 0 ]
  [[ ${lines[0]} =~ ^"ward: published 127.0.0.1:"[0-9]+" -> 8080/tcp"$ ]]
  [[ ${lines[1]} =~ ^"ward: published 127.0.0.1:"[0-9]+" -> 9090/tcp"$ ]]
  [[ ${lines[2]} == *'"ports":[{"hostIp":"127.0.0.1","hostPort":'*',"port":8080,"proto":"tcp"},'* ]]
}

# What the host and the sandbox had when a connection to the outside failed: the output, and
# then the routes, forwarding and ward's table, so that a failure says why.
egress_diag() {
  echo "connect: $output"
  $1 exec "$2" ip route || true
  $1 exec "$2" ip addr || true
  sysctl net.ipv4.ip_forward || true
  ip route || true
  nft list ruleset || true
  return 1
}

egress_cycle() {
  local w=$1 rootfs=$2
  id=$($w create --network egress --dns 198.18.0.53 -p 0:7000 --rootfs "$rootfs" -- netprobe echo-server 7000)
  port=$($w port "$id" | sed 's/.*://')
  wait_published "$port"
  run $w exec "$id" netprobe connect 198.18.0.2 9000
  [ "$status" -eq 0 ] || egress_diag "$w" "$id"
  [ "${lines[1]}" = outside ]
  # cut it: the outside is gone, the published port and loopback stay
  $w network disconnect "$id"
  run $w exec "$id" netprobe connect 198.18.0.2 9000
  [ "$status" -eq 1 ]
  run "$NETPROBE" echo-check 127.0.0.1 "$port" 1000000 8
  [ "$status" -eq 0 ]
  [ "$($w inspect "$id" | jq .network.egress)" = false ]
  run $w network disconnect "$id"
  [ "$status" -eq 125 ]
  [[ $output == *"no egress to take away"* ]]
  # and back on
  $w network connect "$id"
  run $w exec "$id" netprobe connect 198.18.0.2 9000
  [ "$status" -eq 0 ] || egress_diag "$w" "$id"
  [ "${lines[1]}" = outside ]
  run $w network connect "$id"
  [ "$status" -eq 125 ]
  [[ $output == *"egress already"* ]]
  [ "$($w inspect "$id" | jq .network.egress)" = true ]
  $w rm -f "$id"
  # a sandbox made without any network gets egress while it runs, and loses it again
  id=$($w create --rootfs "$rootfs")
  run $w exec "$id" netprobe connect 198.18.0.2 9000
  [ "$status" -eq 1 ]
  $w network connect "$id"
  run $w exec "$id" netprobe connect 198.18.0.2 9000
  [ "$status" -eq 0 ] || egress_diag "$w" "$id"
  [ "${lines[1]}" = outside ]
  $w network disconnect "$id"
  run $w exec "$id" netprobe connect 198.18.0.2 9000
  [ "$status" -eq 1 ]
  $w rm -f "$id"
}

@test "egress reaches a namespace the test made; disconnect cuts it while published ports work; connect gives it back" {
  if rootless; then
    # (the root half runs this test as the unprivileged user too, with the outside made)
    id=$(ward create --network egress --rootfs "$ROOTFS")
    [[ $(ward exec "$id" ip route) == default* ]]
    ward network disconnect "$id"
    [[ $(ward exec "$id" ip route) != *default* ]]
    ward network connect "$id"
    [[ $(ward exec "$id" ip route) == default* ]]
    return 0
  fi
  make_outside
  # without egress, the outside is unreachable
  run ward run -p 0:1 --rootfs "$ROOTFS" -- netprobe connect 198.18.0.2 9000
  [ "$status" -eq 1 ]
  egress_cycle ward "$ROOTFS"
  # the resolvers asked for are the sandbox's
  [ "$(ward run --network egress --dns 198.18.0.53 --rootfs "$ROOTFS" -- cat /etc/resolv.conf)" = "nameserver 198.18.0.53" ]
  # rootless (pasta), same path
  user_rootfs
  egress_cycle user_ward "$user_root/rootfs"
  rm -rf "$user_root"
}

@test "bad network options fail in one line naming the culprit, leaving nothing" {
  bad() {
    run ward run "$@" --rootfs "$ROOTFS" -- true
    [ "$status" -eq 125 ] || { echo "status $status for $*: $output"; return 1; }
    [ "${#lines[@]}" -eq 1 ] || { echo "$output"; return 1; }
  }
  bad -p abc && [[ $output == "ward: --publish abc: "* ]]
  bad -p 70000:80 && [[ $output == *"70000:80: ports are numbers"* ]]
  bad -p 8080:0 && [[ $output == *"8080:0: ports are numbers"* ]]
  bad -p 1.2.3:80:80 && [[ $output == *"1.2.3:80:80: the host address must be"* ]]
  bad -p ::1:80:80 && [[ $output == *"the host address must be"* ]]
  bad -p 8080/udp && [[ $output == *"UDP is not forwarded"* ]]
  bad -p 0:80/sctp && [[ $output == *"expected [ADDR:]HOSTPORT:PORT[/tcp]"* ]]
  bad -p 5000:80 -p 5000:81 && [[ $output == *"5000:81: host port 127.0.0.1:5000 is already published"* ]]
  bad --network bridge && [[ $output == *"--network bridge: expected none or egress"* ]]
  bad --dns resolver && [[ $output == *"--dns resolver: expected a numeric"* ]]
  bad -p 203.0.113.7:0:80 && [[ $output == *"203.0.113.7 is not an address of this host"* ]]
  "$NETPROBE" hello-server 38917 busy >"$BATS_TEST_TMPDIR/busy" &
  busy=$!
  wait_listening "$BATS_TEST_TMPDIR/busy"
  bad -p 38917:80 && [[ $output == *"host port 127.0.0.1:38917 is in use"* ]]
  kill "$busy"
  if ! rootless; then
    WARD_NET_POOL=bogus bad -p 0:80 && [[ $output == *"WARD_NET_POOL bogus: expected"* ]]
    # a pool whose only /30 the host routes already
    make_outside
    WARD_NET_POOL=198.18.0.0/30 bad -p 0:80 && [[ $output == *"198.18.0.0/30 is used up"* ]]
  else
    if [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ]; then
      bad -p 80:80 && [[ $output == *"host port 80 needs root"* ]]
    fi
    # a host without pasta cannot give a rootless sandbox egress
    run env PATH=/nonexistent "$WARD" run --network egress --rootfs "$ROOTFS" -- true
    [ "$status" -eq 125 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ $output == *"egress without root needs pasta"* ]]
  fi
}

@test "a killed supervisor leaves no veth, table, forwarder or pasta behind" {
  id=$(ward create --rm --network egress -p 0:7000 --rootfs "$ROOTFS" -- netprobe echo-server 7000)
  [ -n "$(net_leftovers)" ]
  kill -9 "$(ward inspect "$id" | jq .supervisor.pid)"
  no_net_leftovers
  [ -z "$(ward ps -a -q)" ]
  # a killed ward run has no record: the next command still finds what it left
  "$WARD" run --network egress -p 0:7000 --rootfs "$ROOTFS" -- sleep 30 &
  run_pid=$!
  # its forwarder and pasta start after the ports are bound (slowly on a busy host)
  for _ in $(seq 200); do [ -n "$(net_leftovers)" ] && break; sleep 0.1; done
  [ -n "$(net_leftovers)" ]
  kill -9 "$run_pid"
  no_net_leftovers
}

@test "connections beyond the forwarder's file limit are dropped, and it serves again after" {
  # 64 fds: room for about eight connections (six fds each)
  id=$(ulimit -n 64 && ward create -p 0:7000 --rootfs "$ROOTFS" -- netprobe echo-server 7000)
  port=$(host_port "$id" 7000)
  wait_published "$port"
  # twenty idle connections held open: the forwarder runs out of fds with more waiting
  python3 -c 'import socket, sys, time
cs = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(20)]
time.sleep(2.5)' "$port" &
  holder=$!
  sleep 0.5
  sup=$(ward inspect "$id" | jq .supervisor.pid)
  fwd=$(own_processes | awk -v s="$sup" '$2 == s && $4 == "ward-portfwd" {print $1}')
  [ -n "$fwd" ]
  t0=$(awk '{print $14 + $15}' /proc/"$fwd"/stat)
  sleep 1
  ticks=$(($(awk '{print $14 + $15}' /proc/"$fwd"/stat) - t0))
  wait "$holder"
  # not spinning on a listener it cannot accept from (a spin takes ~100 ticks a second)
  [ "$ticks" -lt 20 ] || { echo "forwarder used $ticks ticks in 1 s"; return 1; }
  run "$NETPROBE" echo-check 127.0.0.1 "$port" 100000 4
  [ "$status" -eq 0 ]
}
