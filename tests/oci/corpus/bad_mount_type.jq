.mounts += [{destination: "/mnt", type: "bogusfs", source: "none"}]
