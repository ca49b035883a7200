# process.oomScoreAdj
.process.oomScoreAdj = 500 | .process.args = ["/bin/cat", "/proc/self/oom_score_adj"]
