.process.user.uid = -1
