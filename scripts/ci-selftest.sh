#!/usr/bin/env bash
# Exercises .ci/run without installing anything or running the real test suite: `apt-get` and `npm` are stubs
# first on PATH (the npm stub's `npm test` checks the daemon answers and LAYERSCOPE_REQUIRE_DOCKER=1, then exits
# with a chosen status). Needs root and a running Docker daemon.
#
#   1. a daemon already answers: .ci/run uses it, starts no dockerd, exits with npm test's status;
#   2. a fresh machine: in a private mount + network namespace (its own /run and /var/lib/docker, so the real
#      daemon and its data are never touched), .ci/run starts dockerd, waits for it, runs the tests, stops it;
#   3. dockerd cannot start: .ci/run fails with dockerd's log;
#   4. npm ci fails: .ci/run fails with its status and still stops the dockerd it started.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/layerscope-ci-selftest.XXXXXX)
cleanup() {
	# Bind mounts live only in the namespaces, which are gone by now.
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/bin" "$work/broken"
cat >"$work/bin/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >>"$CI_SELFTEST_LOG"
EOF
cat >"$work/bin/npm" <<'EOF'
#!/bin/sh
echo "npm $*" >>"$CI_SELFTEST_LOG"
case "$1" in
--version) echo 10.0.0 ;;
ci) exit "${CI_SELFTEST_NPM_CI_STATUS:-0}" ;;
test)
	[ "$LAYERSCOPE_REQUIRE_DOCKER" = 1 ] || { echo "LAYERSCOPE_REQUIRE_DOCKER is not 1" >&2; exit 90; }
	docker info >/dev/null 2>&1 || { echo "no daemon during npm test" >&2; exit 91; }
	echo "npm test saw docker $(docker version --format '{{.Server.Version}}')" >>"$CI_SELFTEST_LOG"
	exit "${CI_SELFTEST_TEST_STATUS:-0}"
	;;
esac
EOF
# A dockerd that cannot start.
cat >"$work/broken/dockerd" <<'EOF'
#!/bin/sh
echo "failed to start daemon: selftest says no" >&2
exit 1
EOF
chmod +x "$work/bin/"* "$work/broken/dockerd"

failures=0
check() {
	local name=$1 expected_status=$2 actual_status=$3 pattern=$4 output=$5
	if [[ $actual_status -eq $expected_status ]] && grep -qE -- "$pattern" <<<"$output"; then
		echo "ok   $name"
	else
		echo "FAIL $name: status $actual_status (expected $expected_status), wanted /$pattern/ in:"
		sed 's/^/     | /' <<<"$output"
		failures=$((failures + 1))
	fi
}

count_dockerd() {
	pgrep -xc dockerd || true
}

# 1. Daemon already running.
before=$(count_dockerd)
export CI_SELFTEST_LOG="$work/1.log"
status=0
output=$(CI_SELFTEST_TEST_STATUS=3 PATH="$work/bin:$PATH" "$repo/.ci/run" 2>&1) || status=$?
output+=$'\n'$(cat "$CI_SELFTEST_LOG")
check 'existing daemon: used, npm test status passed through' 3 "$status" 'already answers; using it' "$output"
check 'existing daemon: packages installed, npm ci then npm test' 3 "$status" 'apt-get install -y --no-install-recommends docker.io skopeo busybox-static tmux docker-registry podman' "$output"
check 'existing daemon: npm test ran with the daemon' 3 "$status" 'npm test saw docker' "$output"
[[ $(count_dockerd) -eq $before ]] && echo "ok   existing daemon: no second dockerd" || { echo "FAIL existing daemon: dockerd count changed"; failures=$((failures + 1)); }

# 2-4. A machine without a daemon, in private namespaces.
fresh() {
	local name=$1
	shift
	mkdir -p "$work/$name/run" "$work/$name/lib-docker"
	# In the namespace: fresh /run (so /var/run/docker.sock and docker.pid are new) and a fresh data root. Refuse to
	# go on unless both are mounted, so the real daemon's data can never be shared.
	unshare --mount --net --propagation private env "$@" PATH="$PATH" bash -euc '
		mount -t tmpfs tmpfs /run
		mount --bind "$1/lib-docker" /var/lib/docker
		mountpoint -q /run && mountpoint -q /var/lib/docker
		grep -q " /var/lib/docker " /proc/self/mountinfo
		ip link set lo up 2>/dev/null || true
		exec "$2/.ci/run"
	' fresh "$work/$name" "$repo"
}

export CI_SELFTEST_LOG="$work/2.log"
status=0
output=$(PATH="$work/bin:$PATH" fresh fresh CI_SELFTEST_TEST_STATUS=0 2>&1) || status=$?
output+=$'\n'$(cat "$CI_SELFTEST_LOG")
check 'fresh machine: dockerd started' 0 "$status" 'starting dockerd on unix:///var/run/docker.sock' "$output"
check 'fresh machine: npm test ran against it' 0 "$status" 'npm test saw docker' "$output"
check 'fresh machine: dockerd stopped' 0 "$status" 'stopping dockerd' "$output"
[[ $(count_dockerd) -eq $before ]] && echo "ok   fresh machine: no dockerd left behind" || { echo "FAIL fresh machine: dockerd left running"; failures=$((failures + 1)); }

export CI_SELFTEST_LOG="$work/3.log"
status=0
output=$(PATH="$work/broken:$work/bin:$PATH" fresh broken 2>&1) || status=$?
check 'dockerd cannot start: fails with its log' 1 "$status" 'failed to start daemon: selftest says no' "$output"

export CI_SELFTEST_LOG="$work/4.log"
status=0
output=$(PATH="$work/bin:$PATH" fresh npmci CI_SELFTEST_NPM_CI_STATUS=7 2>&1) || status=$?
check 'npm ci fails: its status, dockerd stopped' 7 "$status" 'stopping dockerd' "$output"
[[ $(count_dockerd) -eq $before ]] && echo "ok   npm ci fails: no dockerd left behind" || { echo "FAIL npm ci fails: dockerd left running"; failures=$((failures + 1)); }

if [[ $failures -gt 0 ]]; then
	echo "$failures check(s) failed"
	exit 1
fi

echo "all checks passed"
