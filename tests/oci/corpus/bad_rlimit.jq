.process.rlimits = [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]
