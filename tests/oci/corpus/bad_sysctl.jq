# A sysctl that no namespace of the container makes its own.
.linux.sysctl = {"vm.swappiness": "10"}
