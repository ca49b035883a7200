#!/usr/bin/python3
"""Image indexes for the platform tests, added to an OCI layout from its image TAG:
  LAYOUT:foreign    linux/arm64/v8 and linux/s390x only (no image for an amd64 host)
  LAYOUT:multiarch  linux/arm64/v8 and linux/amd64 (TAG itself)
The foreign entries are TAG's manifest with a config naming the other platform.
usage: make-index.py LAYOUT TAG"""
import hashlib
import json
import os
import sys

layout, tag = sys.argv[1], sys.argv[2]
REF = "org.opencontainers.image.ref.name"


def put(obj):
    data = json.dumps(obj, separators=(",", ":")).encode()
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs/sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def get(digest):
    with open(os.path.join(layout, "blobs/sha256", digest.split(":")[1])) as f:
        return json.load(f)


index = json.load(open(os.path.join(layout, "index.json")))
src = next(m for m in index["manifests"] if m.get("annotations", {}).get(REF) == tag)
manifest = get(src["digest"])


def variant(arch, var=None):
    config = dict(get(manifest["config"]["digest"]), architecture=arch, os="linux")
    config.pop("variant", None)
    if var:
        config["variant"] = var
    m = dict(manifest)
    m["config"] = dict(manifest["config"], **put(config))
    platform = {"architecture": arch, "os": "linux"}
    if var:
        platform["variant"] = var
    return dict({"mediaType": "application/vnd.oci.image.manifest.v1+json", "platform": platform},
                **put(m))


amd64 = {"mediaType": src["mediaType"], "digest": src["digest"], "size": src["size"],
         "platform": {"architecture": "amd64", "os": "linux"}}
for name, entries in (("foreign", [variant("arm64", "v8"), variant("s390x")]),
                      ("multiarch", [variant("arm64", "v8"), amd64])):
    idx = put({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": entries})
    index["manifests"] = [m for m in index["manifests"] if m.get("annotations", {}).get(REF) != name]
    index["manifests"].append(dict({"mediaType": "application/vnd.oci.image.index.v1+json",
                                    "annotations": {REF: name}}, **idx))
with open(os.path.join(layout, "index.json.new"), "w") as f:
    json.dump(index, f)
os.rename(os.path.join(layout, "index.json.new"), os.path.join(layout, "index.json"))
