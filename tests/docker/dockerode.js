// dockerode (npm, unchanged) replaying GenAIScript's container host against the server at
// $DOCKER_HOST, in its order (shared/notes/docker-api-clients.md): image inspect (Size > 0
// means present), pull with the progress followed to the end, list by name, create with a
// TTY and no stdin, labels, a bind and a port binding, start, inspect, exec with the output
// demultiplexed and the exit code from exec inspect, pause/unpause, network disconnect,
// stop, remove.
//
// usage: node dockerode.js IMAGE HOSTDIR PORT FREEZER(0|1)
// Prints one line per step; exits 1 naming the first step that went wrong.
"use strict";
const Docker = require("dockerode");
const http = require("http");
const { PassThrough } = require("stream");

const [IMAGE, HOSTDIR, PORT, FREEZER] = process.argv.slice(2);
const NAME = "python_alpine_" + PORT;

class Failed extends Error {}
function check(cond, what) {
  if (!cond) throw new Failed(what);
}
function step(msg) {
  console.log("step: " + msg);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Everything a stream sends until it ends, stdout and stderr apart.
function demux(docker, stream) {
  const out = new PassThrough();
  const err = new PassThrough();
  const o = [];
  const e = [];
  out.on("data", (d) => o.push(d));
  err.on("data", (d) => e.push(d));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.on("end", () => resolve([Buffer.concat(o).toString(), Buffer.concat(e).toString()]));
    stream.on("error", reject);
  });
}

async function execIn(docker, container, cmd, startOpts) {
  const exec = await container.exec({
    Cmd: cmd,
    WorkingDir: "/app",
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start(startOpts);
  const [stdout, stderr] = await demux(docker, stream);
  const info = await exec.inspect();
  return { stdout, stderr, info };
}

function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port: Number(PORT), path, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve([res.statusCode, Buffer.concat(chunks).toString()]));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

async function fetch(path) {
  let last;
  for (let i = 0; i < 100; i++) {
    try {
      return await get(path);
    } catch (e) {
      last = e;
      await sleep(100);
    }
  }
  throw new Failed(`port ${PORT} never answered ${path}: ${last}`);
}

async function main() {
  const docker = new Docker(); // DOCKER_HOST, as GenAIScript's host does

  step("image inspect of a missing image: 404");
  try {
    await docker.getImage(IMAGE).inspect();
    throw new Failed("missing image found");
  } catch (e) {
    if (e instanceof Failed) throw e;
    check(e.statusCode === 404, `inspect of a missing image: ${e.statusCode} ${e.message}`);
  }

  step("pull, progress followed to the end");
  const stream = await docker.pull(IMAGE);
  const events = [];
  const output = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res)), (ev) => events.push(ev)),
  );
  check(output.length > 0 && events.length === output.length, `progress events ${events.length}/${output.length}`);
  check(!output.some((ev) => ev.error || ev.errorDetail), `pull errors: ${JSON.stringify(output)}`);
  const img = await docker.getImage(IMAGE).inspect();
  check(img.Size > 0, `image Size ${img.Size}`);
  check(img.Id.startsWith("sha256:"), `image Id ${img.Id}`);

  step("listContainers by name: none yet");
  let list = await docker.listContainers({ all: true, filters: { name: [NAME] } });
  check(list.length === 0, `listed ${JSON.stringify(list)}`);

  step("createContainer with Tty, no stdin, labels, a bind, a port binding");
  const container = await docker.createContainer({
    name: NAME,
    Image: IMAGE,
    Tty: true,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    WorkingDir: "/app",
    Labels: { genaiscript: "true", "genaiscript.version": "1.0.0", "genaiscript.hostpath": HOSTDIR },
    Env: ["GENAISCRIPT=1"],
    ExposedPorts: { "80/tcp": {} },
    HostConfig: {
      Binds: [`${HOSTDIR}:/app`],
      PortBindings: { "80/tcp": [{ HostPort: String(PORT) }] },
    },
  });
  let info = await container.inspect();
  check(info.State.Status === "created", `after create: ${info.State.Status}`);
  check(info.Config.Tty === true && info.Config.OpenStdin === false, "Tty/OpenStdin read back");

  step("start; the image's sh stays up on its terminal");
  await container.start();
  info = await container.inspect();
  check(info.State.Running === true && info.State.Status === "running", `after start: ${info.State.Status}`);
  await sleep(500);
  info = await container.inspect();
  check(info.State.Running === true && info.State.Restarting === false, `0.5 s later: ${info.State.Status}`);
  check(info.Config.Labels["genaiscript.hostpath"] === HOSTDIR, `Labels ${JSON.stringify(info.Config.Labels)}`);
  check(info.Config.Env.includes("GENAISCRIPT=1"), `Env ${info.Config.Env}`);
  const bound = info.NetworkSettings.Ports["80/tcp"] || [];
  check(bound.some((b) => b.HostPort === String(PORT)), `Ports ${JSON.stringify(info.NetworkSettings.Ports)}`);
  list = await docker.listContainers({ all: true, filters: { name: [NAME] } });
  check(list.length === 1 && list[0].Id === container.id && list[0].Names[0] === "/" + NAME, `list ${JSON.stringify(list)}`);
  check(list[0].State === "running" && list[0].Labels.genaiscript === "true", `list entry ${JSON.stringify(list[0])}`);

  step("exec: output demultiplexed, ExitCode from exec inspect");
  let r = await execIn(docker, container, ["sh", "-c", "echo out; echo err >&2; pwd; cat hostfile; exit 5"], {});
  check(r.stdout === "out\n/app\nfrom the host\n", `stdout ${JSON.stringify(r.stdout)}`);
  check(r.stderr === "err\n", `stderr ${JSON.stringify(r.stderr)}`);
  check(r.info.ExitCode === 5 && r.info.Running === false, `exec inspect ${JSON.stringify(r.info)}`);
  r = await execIn(docker, container, ["sh", "-c", "echo hijacked; echo made >/app/made-inside"], { hijack: true, stdin: false });
  check(r.stdout === "hijacked\n" && r.info.ExitCode === 0, `hijacked exec ${JSON.stringify(r)}`);
  check(require("fs").readFileSync(HOSTDIR + "/made-inside", "utf8") === "made\n", "bind written");
  r = await execIn(docker, container, ["sh", "-c", "httpd -p 80 -h /app/www"], {});
  check(r.info.ExitCode === 0, `httpd: ${JSON.stringify(r)}`);
  const [code, body] = await fetch("/index.html");
  check(code === 200 && body === "served from the bind\n", `GET ${code} ${JSON.stringify(body)}`);

  if (FREEZER === "1") {
    step("pause, unpause");
    await container.pause();
    info = await container.inspect();
    check(info.State.Paused === true && info.State.Status === "paused", `after pause ${info.State.Status}`);
    await container.unpause();
    info = await container.inspect();
    check(info.State.Paused === false && info.State.Status === "running", `after unpause ${info.State.Status}`);
  }

  step("network disconnect: bridge found by name, the container a member, then not");
  const nets = await docker.listNetworks();
  const bridge = nets.find((n) => n.Name === "bridge");
  check(bridge && nets.some((n) => n.Name === "none"), `networks ${JSON.stringify(nets)}`);
  const network = docker.getNetwork(bridge.Id);
  let net = await network.inspect();
  check(net.Name === "bridge" && container.id in (net.Containers || {}), `bridge members ${JSON.stringify(net.Containers)}`);
  await network.disconnect({ Container: container.id });
  net = await network.inspect();
  check(!(container.id in (net.Containers || {})), `still a member ${JSON.stringify(net.Containers)}`);
  info = await container.inspect();
  check(!("bridge" in (info.NetworkSettings.Networks || {})), `Networks ${JSON.stringify(info.NetworkSettings.Networks)}`);

  step("stop, remove");
  await container.stop({ t: 2 });
  info = await container.inspect();
  check(info.State.Running === false && info.State.Status === "exited", `after stop ${info.State.Status}`);
  await container.remove();
  list = await docker.listContainers({ all: true, filters: { name: [NAME] } });
  check(list.length === 0, `after remove ${JSON.stringify(list)}`);
  try {
    await container.inspect();
    throw new Failed("removed container inspected");
  } catch (e) {
    if (e instanceof Failed) throw e;
    check(e.statusCode === 404, `inspect after remove: ${e.statusCode}`);
  }
  console.log("ok");
}

const timer = setTimeout(() => {
  console.log("FAILED: timed out");
  process.exit(1);
}, 300000);
main().then(
  () => clearTimeout(timer),
  (e) => {
    console.log("FAILED: " + (e instanceof Failed ? e.message : e.stack || e));
    process.exit(1);
  },
);
