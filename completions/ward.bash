# bash completion for ward(1). Installed as share/bash-completion/completions/ward; works
# without the bash-completion package too (source this file).
# The option lists follow `ward CMD --help`; scripts/check-docs.sh checks that they do.

_ward_commands="run create start stop restart pause unpause wait kill rm commit exec ps inspect
  logs attach cp read write port network image pull push login logout serve oci doctor policy version help"
_ward_image_commands="import ls inspect rm prune pack tag history"
# ward oci (runc's command line): its commands, and the options of all of them.
_ward_oci_commands="create start run state kill delete list ps exec pause resume update features
  spec"
_ward_oci_opts="--root --log --log-format --debug --systemd-cgroup --rootless --criu -v --version
  -b --bundle --pid-file --console-socket --no-pivot --no-new-keyring --preserve-fds -d --detach
  --keep -a --all -f --force --format -q --quiet -p --process -t --tty --cwd -e --env -u --user
  -g --additional-gids -c --cap --no-new-privs --apparmor --process-label -r --resources
  --memory --memory-swap --memory-reservation --kernel-memory --kernel-memory-tcp --cpu-share
  --cpu-shares --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpuset-cpus
  --cpuset-mems --pids-limit --blkio-weight -h --help"
_ward_oci_args="--root --log --log-format --rootless --criu -b --bundle --pid-file
  --console-socket --preserve-fds --format -p --process --cwd -e --env -u --user -g
  --additional-gids -c --cap --apparmor --process-label -r --resources --memory --memory-swap
  --memory-reservation --kernel-memory --kernel-memory-tcp --cpu-share --cpu-shares --cpu-period
  --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems --pids-limit
  --blkio-weight"

# Options of ward run; create has them too.
_ward_run_opts="--rootfs --entrypoint --read-only -v --volume --changes --tmpfs --user-id
  -e --env --env-file -w --workdir -u --user --hostname -t --tty -i --interactive --timeout
  --rlimit --policy --seccomp=unconfined --allow-setuid --allow-setid-volumes --cap-add
  --cap-drop --idmap-base -p --publish --network --dns --memory --memory-swap --pids --cpus
  --cpu-weight --cpuset --io-max --disk --limits --label --rm --pull --platform --json -h --help"
# The options above and below that take a value (the next word).
_ward_run_args="--rootfs --entrypoint -v --volume --changes --tmpfs --user-id -e --env
  --env-file -w --workdir -u --user --hostname --timeout --rlimit --policy --cap-add --cap-drop
  --idmap-base -p --publish --network --dns --memory --memory-swap --pids --cpus --cpu-weight
  --cpuset --io-max --disk --limits --label --name --pull --platform"

_ward_cmd_opts() {
	case $1 in
	run) echo "$_ward_run_opts" ;;
	create) echo "$_ward_run_opts --name --persistent --no-start" ;;
	exec) echo "-e --env -w --workdir -u --user -i --interactive -t --tty --timeout --json
		--max-output -h --help" ;;
	ps) echo "-a --all -q --quiet --no-trunc -f --filter --json -h --help" ;;
	stop | restart) echo "-t --time -h --help" ;;
	kill) echo "-s --signal -h --help" ;;
	rm) echo "-f --force -h --help" ;;
	commit) echo "-m --message --json -h --help" ;;
	logs) echo "-f --follow --since -n --tail -t --timestamps -h --help" ;;
	attach) echo "--no-stdin -h --help" ;;
	wait | inspect | port | doctor) echo "--json -h --help" ;;
	cp | read) echo "--max-bytes -h --help" ;;
	write) echo "-p --parents --mode -h --help" ;;
	policy) echo "--json -h --help" ;;
	pull) echo "--platform -q --quiet --tls-verify=false --cert-dir --authfile --creds -h --help" ;;
	push) echo "-q --quiet --tls-verify=false --cert-dir --authfile --creds -h --help" ;;
	login) echo "-u --username -p --password --password-stdin --tls-verify=false --cert-dir
		--authfile -h --help" ;;
	logout) echo "--authfile -h --help" ;;
	serve) echo "--socket --group --idle-timeout -h --help" ;;
	oci) echo "$_ward_oci_opts" ;;
	image-import) echo "--name -q --quiet --json -h --help" ;;
	image-ls) echo "-q --quiet --json -h --help" ;;
	image-inspect) echo "--json -h --help" ;;
	image-pack) echo "--name --config --cmd --entrypoint --env --workdir --user -q --quiet --json -h --help" ;;
	image-prune | version) echo "--json -h --help" ;;
	image-history) echo "--no-trunc --json -h --help" ;;
	*) echo "-h --help" ;;
	esac
}

# Does option $2 of command $1 take a value?
_ward_takes_arg() {
	local w
	case $1 in
	run | create | exec) for w in $_ward_run_args --max-output; do [[ $w == "$2" ]] && return 0; done ;;
	ps) [[ $2 == -f || $2 == --filter ]] && return 0 ;;
	stop | restart) [[ $2 == -t || $2 == --time ]] && return 0 ;;
	kill) [[ $2 == -s || $2 == --signal ]] && return 0 ;;
	commit) [[ $2 == -m || $2 == --message ]] && return 0 ;;
	logs) [[ $2 == --since || $2 == -n || $2 == --tail ]] && return 0 ;;
	cp | read) [[ $2 == --max-bytes ]] && return 0 ;;
	write) [[ $2 == --mode ]] && return 0 ;;
	serve) case $2 in --socket | --group | --idle-timeout) return 0 ;; esac ;;
	oci) for w in $_ward_oci_args; do [[ $w == "$2" ]] && return 0; done ;;
	image-import) [[ $2 == --name ]] && return 0 ;;
	pull | push | login | logout)
		case $2 in --platform | --cert-dir | --authfile | --creds | -u | --username | -p | --password) return 0 ;; esac ;;
	image-pack) case $2 in --name | --config | --cmd | --entrypoint | --env | --workdir | --user) return 0 ;; esac ;;
	esac
	return 1
}

# Sandbox ids and names. The NAME column is found by its header, "-" is no name.
_ward_sandboxes() {
	ward ps -a -q 2>/dev/null
	ward ps -a 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "NAME") c = i; next }
		c && $c != "-" { print $c }'
}

# Image names: ward image ls -q prints them; an older ward only in its --json.
_ward_images() {
	{
		ward image ls -q 2>/dev/null ||
			ward image ls --json 2>/dev/null | grep -o '"name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
	} | sort -u
}

_ward_signals() {
	local s
	for s in $(compgen -A signal); do [[ $s == SIG* ]] && echo "$s" "${s#SIG}"; done
}

_ward_files() { compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$1")); }
_ward_dirs() { compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$1")); }
_ward_words() { COMPREPLY+=($(compgen -W "$1" -- "$2")); }

# The value of option $2 of command $1, being typed as $3.
_ward_value() {
	local cmd=$1 opt=$2 cur=$3
	case $cmd:$opt in
	kill:-s | kill:--signal) _ward_words "$(_ward_signals)" "$cur" ;;
	ps:-f | ps:--filter)
		compopt -o nospace 2>/dev/null
		_ward_words "label= name= id= status=created status=running status=paused status=stopped" "$cur" ;;
	*:--rootfs) _ward_dirs "$cur" ;;
	*:-v | *:--volume | *:--env-file | *:--changes) _ward_files "$cur" ;;
	*:--policy) _ward_words "default strict $(ward policy ls 2>/dev/null | awk '$1 != "NAME" { print $1 }')" "$cur"
		_ward_files "$cur" ;;
	*:--network) _ward_words "none egress" "$cur" ;;
	*:--limits) _ward_words "best-effort" "$cur" ;;
	*:--pull) _ward_words "missing always never" "$cur" ;;
	*:--platform) _ward_words "linux/amd64 linux/arm64 linux/arm64/v8 linux/arm/v7 linux/386
		linux/riscv64 linux/ppc64le linux/s390x" "$cur" ;;
	*:--cert-dir) _ward_dirs "$cur" ;;
	*:--authfile | serve:--socket) _ward_files "$cur" ;;
	oci:--root | oci:-b | oci:--bundle) _ward_dirs "$cur" ;;
	oci:--log | oci:--pid-file | oci:--console-socket | oci:-p | oci:--process | oci:-r | oci:--resources)
		_ward_files "$cur" ;;
	oci:--log-format) _ward_words "text json" "$cur" ;;
	oci:--format) _ward_words "table json" "$cur" ;;
	oci:--rootless) _ward_words "true false auto" "$cur" ;;
	serve:--group) COMPREPLY+=($(compgen -g -- "$cur")) ;;
	*:--cap-add | *:--cap-drop)
		_ward_words "ALL CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
			LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
			SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
			SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
			MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
			CHECKPOINT_RESTORE" "$cur" ;;
	*:--rlimit)
		compopt -o nospace 2>/dev/null
		_ward_words "as= core= cpu= data= fsize= locks= memlock= msgqueue= nice= nofile= nproc=
			rss= rtprio= rttime= sigpending= stack=" "$cur" ;;
	*:--tmpfs | *:-w | *:--workdir) ;;
	esac
}

_ward() {
	# Words split at blanks only: bash also splits at = and :, which --filter status=...
	# and SANDBOX:PATH must not be. Without COMP_LINE (called by hand), COMP_WORDS as given.
	local words cword
	if [[ -n ${COMP_LINE-} ]]; then
		local line=${COMP_LINE:0:COMP_POINT}
		read -ra words <<<"$line"
		[[ ${#words[@]} -eq 0 || $line =~ [[:space:]]$ ]] && words+=("")
	else
		words=("${COMP_WORDS[@]}")
	fi
	cword=$((${#words[@]} - 1))
	[[ -z ${COMP_LINE-} ]] && cword=$COMP_CWORD
	COMPREPLY=()
	_ward_complete
	# bash replaces only what follows the last = or : of the word: drop what precedes it.
	local cur=${words[cword]}
	local head=${cur%"${cur##*[=:]}"}
	if [[ -n $head && -n ${COMP_LINE-} && ${#COMPREPLY[@]} -gt 0 ]]; then
		COMPREPLY=("${COMPREPLY[@]#"$head"}")
	fi
	return 0
}

_ward_complete() {
	local cur=${words[cword]} prev=${words[cword - 1]}
	local i=1 cmd='' sub=''
	# The command: the first word that is not an option (ward takes only --help/--version).
	while ((i < cword)); do
		[[ ${words[i]} != -* ]] && { cmd=${words[i]}; break; }
		((i++))
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then _ward_words "-h --help --version" "$cur"; else _ward_words "$_ward_commands" "$cur"; fi
		return 0
	fi
	((i++))
	local key=$cmd
	if [[ $cmd == image || $cmd == policy || $cmd == network ]]; then
		# Their second word is a subcommand.
		while ((i < cword)); do
			[[ ${words[i]} != -* ]] && { sub=${words[i]}; break; }
			((i++))
		done
		if [[ -z $sub ]]; then
			case $cmd in
			image) _ward_words "$_ward_image_commands" "$cur" ;;
			policy) _ward_words "ls show check" "$cur" ;;
			network) _ward_words "connect disconnect" "$cur" ;;
			esac
			[[ $cur == -* ]] && _ward_words "-h --help" "$cur"
			return 0
		fi
		((i++))
		[[ $cmd == image ]] && key=image-$sub
	fi
	# Walk the words after the command: operands counted, option values skipped. For run,
	# create and exec, options end at the first operand (the rest is the command line).
	local n=0 w rootfs='' dashdash=''
	while ((i < cword)); do
		w=${words[i]}
		if [[ -n $dashdash ]]; then
			((n++))
		elif [[ $w == -- ]]; then
			dashdash=1
		elif [[ $w == -* && ! ($n -gt 0 && ($cmd == run || $cmd == create || $cmd == exec)) ]]; then
			[[ $w == --rootfs ]] && rootfs=1
			_ward_takes_arg "$key" "$w" && ((i++))
		else
			((n++))
		fi
		((i++))
	done
	if [[ -z $dashdash ]] && _ward_takes_arg "$key" "$prev" && ! [[ $n -gt 0 && ($cmd == run || $cmd == create || $cmd == exec) ]]; then
		_ward_value "$key" "$prev" "$cur"
		return 0
	fi
	local cmdline=''
	case $cmd in run | create | exec) ((n > 0)) && cmdline=1 ;; esac
	if [[ $cur == -* && -z $dashdash && -z $cmdline ]]; then
		_ward_words "$(_ward_cmd_opts "$key")" "$cur"
		return 0
	fi
	# Operand number n (from 0).
	case $key in
	run | create)
		if [[ -n $rootfs ]]; then
			if ((n == 0)); then COMPREPLY=($(compgen -c -- "$cur")); else _ward_files "$cur"; fi
		elif ((n == 0)); then
			_ward_words "$(_ward_images)" "$cur"
			_ward_words "oci: oci-archive: docker-archive:" "$cur"
		elif ((n == 1)); then
			COMPREPLY=($(compgen -c -- "$cur"))
		else
			_ward_files "$cur"
		fi ;;
	exec)
		if ((n == 0)); then _ward_words "$(_ward_sandboxes)" "$cur"
		elif ((n == 1)); then COMPREPLY=($(compgen -c -- "$cur"))
		else _ward_files "$cur"; fi ;;
	start | stop | restart | pause | unpause | wait | kill | rm | inspect)
		_ward_words "$(_ward_sandboxes)" "$cur" ;;
	logs | attach | port | read | write | network)
		((n == 0)) && _ward_words "$(_ward_sandboxes)" "$cur" ;;
	commit)
		if ((n == 0)); then _ward_words "$(_ward_sandboxes)" "$cur"
		elif ((n == 1)); then _ward_words "$(_ward_images)" "$cur"; fi ;;
	cp)
		# SANDBOX:/PATH or a host path.
		local s
		for s in $(_ward_sandboxes); do [[ $s: == "$cur"* ]] && COMPREPLY+=("$s:"); done
		((${#COMPREPLY[@]})) && compopt -o nospace 2>/dev/null
		_ward_files "$cur" ;;
	help) ((n == 0)) && _ward_words "$_ward_commands" "$cur" ;;
	oci) ((n == 0)) && _ward_words "$_ward_oci_commands" "$cur" ;;
	push) _ward_words "$(_ward_images)" "$cur" ;;
	policy)
		case $sub in
		show) _ward_words "$(ward policy ls 2>/dev/null | awk '$1 != "NAME" { print $1 }')" "$cur"; _ward_files "$cur" ;;
		check) _ward_files "$cur" ;;
		esac ;;
	image-import)
		compopt -o nospace 2>/dev/null
		_ward_words "oci: oci-archive: docker-archive: docker://" "$cur"
		_ward_files "$cur" ;;
	image-pack) _ward_dirs "$cur" ;;
	image-inspect | image-rm | image-history) _ward_words "$(_ward_images)" "$cur" ;;
	image-tag) ((n == 0)) && _ward_words "$(_ward_images)" "$cur" ;;
	esac
	return 0
}
complete -F _ward ward
