#!/usr/bin/env python3
"""An OCI image archive (an image layout in a tar) from a root filesystem tar, for
`ctr image import` in tests/engines.sh:

    oci_image.py ROOTFS.tar OUT.tar NAME[:TAG]

One uncompressed layer (the rootfs tar as it is), a config for linux/amd64 (or this machine's
architecture) with a default PATH, and index.json naming the image (io.containerd.image.name and
org.opencontainers.image.ref.name)."""
import hashlib
import io
import json
import os
import platform
import sys
import tarfile


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def main():
    rootfs, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    with open(rootfs, "rb") as f:
        layer = f.read()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    config = json.dumps({
        "architecture": arch,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [blob(layer)]},
    }).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": blob(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": blob(layer), "size": len(layer)}],
    }).encode()
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": blob(manifest), "size": len(manifest),
                       "annotations": {"io.containerd.image.name": name,
                                       "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}}],
    }).encode()
    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
             "index.json": index}
    for data in (layer, config, manifest):
        files["blobs/sha256/" + blob(data)[7:]] = data
    with tarfile.open(out, "w") as t:
        for d in ("blobs", "blobs/sha256"):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            t.addfile(info)
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
