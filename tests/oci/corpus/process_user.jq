# process.user: uid, gid and additionalGids, as id sees them.
.process.user = {uid: 1000, gid: 1000, additionalGids: [5, 65534]} | .process.args = ["/bin/id"]
