#!/usr/bin/python3
"""docker-py (Debian's python3-docker) replaying OpenHands' docker runtime against the server
at $DOCKER_HOST, in OpenHands' order (see shared/notes/docker-api-clients.md): image there?
pull; tag by id; containers.run detached with a name, entrypoint=[], command, working_dir,
environment, a port bound to 127.0.0.1, a bind-mounted workspace, labels; logs followed;
inspect read back; the port answers; exec_run; list by name prefix; stop, start, pause,
remove. Then what OpenHands may also send and ward refuses: named volumes, DeviceRequests.

usage: dockerpy.py REGISTRY HOSTDIR PORT FREEZER(0|1)
Prints one line per step; exits 1 naming the first step that went wrong.
"""
import signal
import sys
import time
import urllib.request

import docker

REG, HOSTDIR, PORT, FREEZER = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
SID = "t%d" % PORT
NAME = "openhands-runtime-" + SID
RUNTIME = "ghcr.io/all-hands-ai/runtime"
LOCK_TAG = "oh_v0.62_lock"


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def step(msg):
    print("step:", msg, flush=True)


def fetch(path, tries=100):
    """GET http://127.0.0.1:PORT/PATH, retried while the server in the container comes up."""
    last = None
    for _ in range(tries):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (PORT, path), timeout=5) as r:
                return r.status, r.read()
        except OSError as e:
            last = e
            time.sleep(0.1)
    raise Failed("port %d never answered %s: %s" % (PORT, path, last))


def main():
    client = docker.from_env(timeout=60)
    step("version")
    v = client.version()
    check(v.get("ApiVersion") == "1.41", "ApiVersion %r" % v.get("ApiVersion"))
    check(not any(c.get("Name") == "Podman Engine" for c in v.get("Components", [])), "Podman?")

    step("images.get of a missing image is ImageNotFound")
    try:
        client.images.get("%s:%s" % (RUNTIME, LOCK_TAG))
        raise Failed("a missing image was found")
    except docker.errors.ImageNotFound:
        pass

    step("pull (streamed progress) from the local registry")
    last = None
    for line in client.api.pull("%s/wtest/runtime" % REG, tag="1", stream=True, decode=True):
        check("error" not in line and "errorDetail" not in line, "pull said %r" % line)
        last = line
    check(last is not None and "wtest/runtime:1" in last.get("status", ""), "last pull line %r" % last)
    image = client.images.get("%s/wtest/runtime:1" % REG)
    check(image.id.startswith("sha256:") and len(image.id) == 71, "image id %r" % image.id)

    step("tag by id (POST /images/sha256:ID/tag)")
    check(image.tag(RUNTIME, LOCK_TAG) is True, "tag failed")
    tagged = client.images.get("%s:%s" % (RUNTIME, LOCK_TAG))
    check(tagged.id == image.id, "tagged %s is not %s" % (tagged.id, image.id))
    check("%s:%s" % (RUNTIME, LOCK_TAG) in tagged.tags, "tags %r" % tagged.tags)

    step("containers.run detached, entrypoint=[] (the image's /bin/echo entrypoint reset)")
    with open(HOSTDIR + "/host-file", "w") as f:
        f.write("from the host\n")
    env = {"port": "30001", "PYTHONUNBUFFERED": "1", "VSCODE_PORT": "30002",
           "OPENHANDS_SESSION_ID": SID, "PIP_BREAK_SYSTEM_PACKAGES": "1"}
    server = ("echo server up on $port in $(pwd); echo written >/workspace/from-container; "
              "exec httpd -f -p $port -h /www")
    container = client.containers.run(
        "%s:%s" % (RUNTIME, LOCK_TAG),
        command=["sh", "-c", server],
        entrypoint=[],
        network_mode=None,
        working_dir="/openhands/code",
        name=NAME,
        detach=True,
        environment=env,
        ports={"30001/tcp": ("127.0.0.1", PORT)},
        volumes={HOSTDIR: {"bind": "/workspace", "mode": "rw"}},
        labels={"openhands.session": SID},
    )
    check(container.name == NAME, "name %r" % container.name)

    step("logs(stream=True, follow=True) until the server's first line")
    stream = container.logs(stream=True, follow=True)
    seen = b""
    for chunk in stream:
        seen += chunk
        if b"\n" in seen:
            break
    stream.close()
    check(seen.startswith(b"server up on 30001 in /openhands/code\n"), "logs said %r" % seen)

    step("the container got by name; attrs read back after reload()")
    container = client.containers.get(NAME)
    container.reload()
    a = container.attrs
    check(a["State"]["Status"] == "running", "State.Status %r" % a["State"]["Status"])
    check(a["Name"] == "/" + NAME, "Name %r" % a["Name"])
    for kv in ("port=30001", "OPENHANDS_SESSION_ID=" + SID, "IMG_VAR=from-image"):
        check(kv in a["Config"]["Env"], "Config.Env lacks %s: %r" % (kv, a["Config"]["Env"]))
    check("30001/tcp" in (a["Config"].get("ExposedPorts") or {}), "ExposedPorts %r" % a["Config"].get("ExposedPorts"))
    check(a["Config"]["WorkingDir"] == "/openhands/code", "WorkingDir %r" % a["Config"]["WorkingDir"])
    check(a["Config"]["Tty"] is False, "Tty %r" % a["Config"]["Tty"])
    check(a["Config"]["Labels"].get("openhands.session") == SID, "Labels %r" % a["Config"]["Labels"])
    check(a["Config"]["Entrypoint"] in (None, []), "Entrypoint %r" % a["Config"]["Entrypoint"])
    ports = a["NetworkSettings"]["Ports"]
    check(ports.get("30001/tcp") == [{"HostIp": "127.0.0.1", "HostPort": str(PORT)}], "Ports %r" % ports)
    check(a["Created"][:4].isdigit() and a["Created"][4] == "-", "Created %r" % a["Created"])
    check(a["Image"] == image.id, "Image %r is not %r" % (a["Image"], image.id))
    check(container.image.id == image.id, "container.image %r" % container.image)

    step("the port answers; the workspace is the host directory")
    status, body = fetch("/index.html")
    check(status == 200 and body == b"hello from ward\n", "GET / gave %r %r" % (status, body))
    with open(HOSTDIR + "/from-container") as f:
        check(f.read() == "written\n", "from-container")

    step("exec_run")
    r = container.exec_run("true")
    check(r.exit_code == 0 and r.output == b"", "exec_run('true') %r" % (r,))
    r = container.exec_run("cat /workspace/host-file")
    check(r.exit_code == 0 and r.output == b"from the host\n", "cat host-file %r" % (r,))
    r = container.exec_run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    check(r.exit_code == 3 and b"out\n" in r.output and b"err\n" in r.output, "exit 3 %r" % (r,))
    r = container.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
    check(r.output == (b"out\n", b"err\n"), "demux %r" % (r.output,))
    r = container.exec_run(["sh", "-c", "echo $A $(pwd) $(id -u)"], workdir="/tmp",
                           environment={"A": "b"}, user="1000")
    check(r.output == b"b /tmp 1000\n", "workdir/env/user %r" % (r.output,))
    r = container.exec_run(["sh", "-c", "echo streamed"], stream=True)
    check(b"".join(r.output) == b"streamed\n", "stream")

    step("containers.list by name prefix")
    other = client.containers.create("%s:%s" % (RUNTIME, LOCK_TAG), command=["true"],
                                     entrypoint=[], name="someone-else-" + SID)
    mine = [c.name for c in client.containers.list(all=True) if c.name.startswith("openhands-runtime-")]
    check(mine == [NAME], "list(all) by prefix %r" % mine)
    found = client.containers.list(all=True, filters={"name": "openhands-runtime-"})
    check([c.id for c in found] == [container.id], "list(filters name) %r" % found)
    found = client.containers.list(filters={"label": "openhands.session=" + SID})
    check([c.id for c in found] == [container.id], "list(filters label) %r" % found)
    check(client.containers.list(filters={"name": "nobody-at-all"}) == [], "list of no name")
    check(other.status == "created", "created status %r" % other.status)
    other.remove()

    step("stop, start again (files kept), pause, unpause")
    container.stop(timeout=2)
    container.reload()
    check(container.status == "exited", "after stop %r" % container.status)
    container.start()
    container.reload()
    check(container.status == "running", "after start %r" % container.status)
    fetch("/index.html")
    if FREEZER:
        container.pause()
        container.reload()
        check(container.status == "paused", "after pause %r" % container.status)
        container.unpause()
        container.reload()
        check(container.status == "running", "after unpause %r" % container.status)

    step("remove(force=True)")
    container.remove(force=True)
    check(client.containers.list(all=True, filters={"name": NAME}) == [], "still listed")
    try:
        client.containers.get(NAME)
        raise Failed("removed container still there")
    except docker.errors.NotFound as e:
        check("No such container" in str(e), "404 message %s" % e)

    step("refused: a named volume, DeviceRequests; no container left")
    refusals = (
        ("Binds", dict(volumes={HOSTDIR: {"bind": "/workspace", "mode": "rw"},
                                "cache": {"bind": "/cache", "mode": "rw"}})),
        ("DeviceRequests", dict(device_requests=[
            docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])])),
        ("Privileged", dict(privileged=True)),
    )
    for field, extra in refusals:
        try:
            client.containers.run("%s:%s" % (RUNTIME, LOCK_TAG), command=["true"], entrypoint=[],
                                  name="refused-" + SID, detach=True, **extra)
            raise Failed("%s was not refused" % field)
        except docker.errors.APIError as e:
            check(e.status_code in (400, 501), "%s: status %s" % (field, e.status_code))
            check(field in str(e.explanation), "%s: message %r" % (field, e.explanation))
        check(client.containers.list(all=True) == [], "%s left a container" % field)
    print("ok")


if __name__ == "__main__":
    signal.alarm(300)
    try:
        main()
    except Failed as e:
        print("FAILED:", e)
        sys.exit(1)
