.linux.namespaces += [{type: "bogus"}]
