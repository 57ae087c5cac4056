#!/usr/bin/env bash
# Runs the image's binaries against the local services (make test-image): --version of both,
# then the server and the consumer from the image, each until its /readyz answers 200, and the
# server's /metrics naming the build. `podman run` where the machine allows it; where the
# sandbox refuses a container's rlimits, the image is mounted (`podman image mount`) and each
# entrypoint runs under `chroot` as the image's user (65532). The output says which.
set -euo pipefail
: "${IMAGE:?IMAGE=name:tag}" "${VERSION:?VERSION}"
: "${BULLPEN_DATABASE_URL:?services env}" "${BULLPEN_REDIS_URL:?}" "${BULLPEN_KAFKA_BROKERS:?}"

say() { echo "[image-test] $*"; }
fail() { echo "[image-test] FAIL: $*" >&2; exit 1; }

mnt=""
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "$mnt" ]; then podman image unmount "$IMAGE" >/dev/null 2>&1 || true; fi
	if declare -F drop_scratch >/dev/null; then drop_scratch; fi
}
trap cleanup EXIT

if out=$(podman run --rm --network host --entrypoint /server "$IMAGE" --version 2>&1); then
	how=run
	say "running the image with podman run"
else
	how=chroot
	say "podman run refused here ($(echo "$out" | tail -1)); running the entrypoints from the mounted image under chroot, as user 65532"
	mnt=$(podman image mount "$IMAGE")
fi

# in_image BIN ARGS...: a binary of the image, as the image's user, on the host's network. It
# becomes the process (exec): call it in a subshell, `(in_image …)`, `$(in_image …)` or `&`, whose
# pid is then the process's own.
in_image() {
	local bin=$1
	shift
	if [ "$how" = run ]; then
		exec podman run --rm --network host --user 65532:65532 -e BULLPEN_DATABASE_URL -e BULLPEN_REDIS_URL \
			-e BULLPEN_KAFKA_BROKERS -e BULLPEN_ADMIN_TOKEN -e BULLPEN_HTTP_ADDR -e BULLPEN_REDIS_PREFIX \
			-e BULLPEN_KAFKA_TOPIC -e BULLPEN_KAFKA_DLQ_TOPIC -e BULLPEN_KAFKA_GROUP --entrypoint "$bin" "$IMAGE" "$@"
	else
		exec chroot --userspec=65532:65532 "$mnt" "$bin" "$@"
	fi
}

for bin in /server /consumer; do
	v=$(in_image "$bin" --version)
	say "$bin --version: $v"
	case "$v" in "bullpen $VERSION (commit "*) ;; *) fail "$bin --version does not name $VERSION" ;; esac
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ready URL: waits up to 30 s for 200.
ready() {
	for _ in $(seq 1 150); do
		if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
		sleep 0.2
	done
	return 1
}

# A corner of the shared services of the test's own (bin/scratch: a migrated schema, a Redis
# prefix, topics and a group), taken away at the end.
scratch=$(bin/scratch up -prefix img_)
eval "$(python3 -c 'import json,sys,shlex; d=json.load(sys.stdin); print("\n".join("export %s=%s" % (k, shlex.quote(v)) for k, v in d["env"].items())); print("schema=" + shlex.quote(d["schema"]))' <<<"$scratch")"
drop_scratch() {
	bin/scratch down -schema "$schema" -redis-prefix "$BULLPEN_REDIS_PREFIX" \
		-topics "$BULLPEN_KAFKA_TOPIC,$BULLPEN_KAFKA_DLQ_TOPIC" -group "$BULLPEN_KAFKA_GROUP" >/dev/null || true
}
export BULLPEN_ADMIN_TOKEN="image-test-admin-token-0123456789"

port=$(free_port)
(BULLPEN_HTTP_ADDR=127.0.0.1:$port in_image /server migrate) >/dev/null 2>&1 || fail "/server migrate (run again: migrations are safe to re-run)"
BULLPEN_HTTP_ADDR=127.0.0.1:$port in_image /server >/tmp/image-test-server.log 2>&1 &
pids+=($!)
ready "http://127.0.0.1:$port/readyz" || { tail -5 /tmp/image-test-server.log >&2; fail "the server from the image never became ready"; }
say "server from the image: /readyz 200 on 127.0.0.1:$port"
metrics=$(curl -fsS "http://127.0.0.1:$port/metrics") || fail "/metrics"
grep -q "^bullpen_build_info{.*version=\"$VERSION\"" <<<"$metrics" || fail "/metrics lacks bullpen_build_info for $VERSION"
say "server from the image: bullpen_build_info names $VERSION"

cport=$(free_port)
BULLPEN_HTTP_ADDR=127.0.0.1:$cport in_image /consumer >/tmp/image-test-consumer.log 2>&1 &
pids+=($!)
ready "http://127.0.0.1:$cport/readyz" || { tail -5 /tmp/image-test-consumer.log >&2; fail "the consumer from the image never became ready"; }
say "consumer from the image: /readyz 200 on 127.0.0.1:$cport"
for p in "${pids[@]}"; do kill "$p"; done
wait || true
pids=()
if pgrep -f "^/(server|consumer)$" >/dev/null 2>&1 && [ "$how" = chroot ]; then
	fail "a process from the image outlived its kill"
fi
say "ok ($how)"
