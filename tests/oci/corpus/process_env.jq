# process.env: exactly these, nothing added (HOME set, as runc adds it when missing).
.process.env = ["PATH=/bin", "HOME=/home", "A=1", "B=two words"] | .process.args = ["/bin/env"]
