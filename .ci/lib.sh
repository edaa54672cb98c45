# shellcheck shell=bash
# Helpers shared by .ci/run and .ci/smoke. Sourced, never executed.

# step prints the header of one CI step.
step() {
	printf '\n== %s\n' "$*"
}

# info prints a detail line under the current step.
info() {
	printf '   %s\n' "$*"
}

# die reports a failure and stops the script.
die() {
	printf '\nFAIL: %s\n' "$*" >&2
	exit 1
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# as_root runs a command as root: directly in CI (root), through sudo on a
# developer machine.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif have sudo; then
		sudo "$@"
	else
		die "need root for: $*"
	fi
}

# apt_install installs Debian packages, running apt-get update once per CI
# run (APT_UPDATED is exported so .ci/smoke does not repeat it).
apt_install() {
	have apt-get || die "apt-get not found; install by hand: $*"
	if [ "${APT_UPDATED:-0}" != 1 ]; then
		info "apt-get update"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 update -qq
		export APT_UPDATED=1
	fi
	info "apt-get install $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "$@" >/dev/null
}

# wait_for DESC SECONDS CMD... polls CMD every half second until it succeeds
# or SECONDS have passed.
wait_for() {
	local desc=$1 secs=$2
	shift 2
	local deadline=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			printf '   %s: not ready after %ss\n' "$desc" "$secs" >&2
			return 1
		fi
		sleep 0.5
	done
	info "$desc: ready after $((SECONDS + secs - deadline))s"
}
