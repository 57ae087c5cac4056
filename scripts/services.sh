#!/usr/bin/env bash
# scripts/services.sh - install (if missing) and run Bullpen's local services
# without Docker: PostgreSQL, Redis and a single-node Apache Kafka (KRaft) broker.
#
# Usage: scripts/services.sh COMMAND
#   up              install what is missing, start what is not running (and restart a
#                   broker started with an older configuration), wait until every
#                   service answers, create the `bullpen` database, the Kafka topics
#                   `deals` (6 partitions) and `deals.dlq` (1) and the broker's SCRAM
#                   test login, then print export lines on stdout (also written to
#                   .local/env):
#                       eval "$(scripts/services.sh up)"
#   down            stop all three (data is kept), and the Redis Cluster if it runs
#   cluster-up      on request: start a Redis Cluster of three masters on loopback (no
#                   replicas), create it the first time, wait until it is ok, and print its
#                   export line (BULLPEN_TEST_REDIS_CLUSTER_URL; make test-cluster runs on it)
#   cluster-down    stop the cluster's nodes
#   cluster-reset   cluster-down, then delete the cluster (its nodes' ids and data)
#   env             print the export lines only
#   status          show what is running (stderr); exit 1 if anything is down
#   start-kafka | stop-kafka | restart-kafka | kill-kafka (SIGKILL, for fault tests)
#   start-redis | stop-redis | restart-redis | kill-redis
#   start-pg    | stop-pg    | restart-pg    | kill-pg
#   topics [ARGS]   run Kafka's TopicCommand against the broker (default: --describe)
#   reset           down, then delete all service data, the cluster's too (keeps the
#                   downloaded Kafka libs)
#
# Everything lives under $ROOT/.local (override with BULLPEN_LOCAL_DIR).
# Ports (override with env): BULLPEN_PG_PORT=25432, BULLPEN_REDIS_PORT=26379,
# BULLPEN_KAFKA_PORT=29092, BULLPEN_KAFKA_CONTROLLER_PORT=29093, BULLPEN_KAFKA_SASL_PORT=29094,
# BULLPEN_KAFKA_SSL_PORT=29095, BULLPEN_KAFKA_MTLS_PORT=29096, BULLPEN_REDIS_CLUSTER_PORT=26380
# (the cluster's first node; the others on the next two ports, each node's cluster bus 1000
# above its own), all below the ephemeral range 32768-60999, so a client connection can never
# be holding one at start-up.
# Besides PLAINTEXT the broker always listens on SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256 and
# SCRAM-SHA-512, one test login), SSL (a certificate of a CA generated once into
# .local/kafka/tls) and SSL again requiring a client certificate of that CA (MTLS), for the
# tests of Bullpen's Kafka TLS and SASL settings: the env lines name them (BULLPEN_TEST_KAFKA_*).
# Progress goes to stderr; stdout carries only the export lines.
#
# PostgreSQL refuses to run as root: when this script runs as root it creates a
# system user `bullpen` (override BULLPEN_PG_OS_USER) and runs initdb/pg_ctl as that
# user via runuser. If that user cannot reach .local (a parent directory that is
# not traversable), the PG data goes to /var/lib/bullpen/pg-<hash of .local path>.
# Changing the Kafka ports after the first start needs `reset` (the KRaft voter set
# is written at format time), and the cluster's `cluster-reset` (its nodes.conf).

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
LOCAL=${BULLPEN_LOCAL_DIR:-$ROOT/.local}

HOST=127.0.0.1
PG_PORT=${BULLPEN_PG_PORT:-25432}
REDIS_PORT=${BULLPEN_REDIS_PORT:-26379}
REDIS_CLUSTER_PORT=${BULLPEN_REDIS_CLUSTER_PORT:-26380}
KAFKA_PORT=${BULLPEN_KAFKA_PORT:-29092}
KAFKA_CONTROLLER_PORT=${BULLPEN_KAFKA_CONTROLLER_PORT:-29093}
KAFKA_SASL_PORT=${BULLPEN_KAFKA_SASL_PORT:-29094}
KAFKA_SSL_PORT=${BULLPEN_KAFKA_SSL_PORT:-29095}
KAFKA_MTLS_PORT=${BULLPEN_KAFKA_MTLS_PORT:-29096}

PG_ROLE=bullpen
PG_DB=bullpen
PG_OS_USER=${BULLPEN_PG_OS_USER:-bullpen}

KAFKA_WAIT=${BULLPEN_KAFKA_WAIT:-90}
KAFKA_HEAP_OPTS=${BULLPEN_KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}
KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml
KAFKA_LOG4J=$SCRIPT_DIR/kafka/log4j2.xml
KAFKA_TOOLS_LOG4J=$SCRIPT_DIR/kafka/log4j2-tools.xml
# name:partitions
KAFKA_TOPICS=("deals:6" "deals.dlq:1")
# The SASL listener's one login (PLAIN and both SCRAMs), for local tests only.
KAFKA_TEST_USER=bullpen
KAFKA_TEST_PASSWORD=bullpen-local-secret

# ---------------------------------------------------------------------------
# helpers

log() { printf '[services] %s\n' "$*" >&2; }
die() {
	printf '[services] ERROR: %s\n' "$*" >&2
	exit 1
}

is_root() { [[ $EUID -eq 0 ]]; }

# port_open PORT: something accepts TCP connections on $HOST:PORT.
port_open() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null
}

# proc_running PID: exists and is not a zombie (PID 1 here may reap late).
proc_running() {
	kill -0 "$1" 2>/dev/null || return 1
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# pid_alive PID [CMDLINE_SUBSTRING]: process exists (and its cmdline contains the
# substring, which guards against a pid reused after a reboot).
pid_alive() {
	local pid=$1 want=${2:-}
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	proc_running "$pid" || return 1
	if [[ -n $want ]]; then
		local cmd
		cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
		[[ $cmd == *"$want"* ]] || return 1
	fi
	return 0
}

read_pid() { [[ -s $1 ]] && head -n1 "$1" | tr -d '[:space:]'; }

# port_owner_pid PORT: pid of the process listening on PORT (needs ss), or nothing.
port_owner_pid() {
	command -v ss >/dev/null 2>&1 || return 0
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2
}

# wait_gone PID SECONDS: wait for a process to exit; returns 1 if still alive.
wait_gone() {
	local pid=$1 deadline=$((SECONDS + $2))
	while proc_running "$pid"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

show_log_tail() { # FILE [LINES]
	[[ -f $1 ]] || return 0
	printf '[services] ---- last lines of %s ----\n' "$1" >&2
	tail -n "${2:-40}" "$1" >&2 || true
	printf '[services] ----\n' >&2
}

APT_UPDATED=0
apt_install() {
	is_root || die "'$*' missing and not root: install it (apt-get install $*) and rerun"
	local added_policy=0
	# Keep Debian's maintainer scripts from starting system-wide instances (e.g.
	# redis on 6379) on machines without a policy-rc.d.
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		added_policy=1
	fi
	local rc=0
	{
		if ((APT_UPDATED == 0)); then
			log "apt-get update"
			DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && APT_UPDATED=1
		fi
		log "apt-get install -y $*"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
	} || rc=$?
	((added_policy == 0)) || rm -f /usr/sbin/policy-rc.d
	((rc == 0)) || die "apt-get install $* failed (exit $rc)"
}

init_local() {
	if [[ ! -d $LOCAL ]]; then
		mkdir -p "$LOCAL"
		chmod 755 "$LOCAL"
	fi
	LOCAL=$(cd -- "$LOCAL" && pwd)
}

# fd 9 holds the lock: every daemon is started with 9>&- so none inherits it.
lock_local() {
	exec 9>"$LOCAL/.services.lock"
	flock -w 600 9 || die "another services.sh holds $LOCAL/.services.lock"
}

env_lines() {
	printf 'export BULLPEN_DATABASE_URL=postgres://%s@%s:%s/%s?sslmode=disable\n' "$PG_ROLE" "$HOST" "$PG_PORT" "$PG_DB"
	printf 'export BULLPEN_REDIS_URL=redis://%s:%s/0\n' "$HOST" "$REDIS_PORT"
	printf 'export BULLPEN_KAFKA_BROKERS=%s:%s\n' "$HOST" "$KAFKA_PORT"
	# The broker's other listeners and their credentials, for the tests of Kafka TLS and SASL.
	local tls=$LOCAL/kafka/tls
	printf 'export BULLPEN_TEST_KAFKA_SASL_ADDR=%s:%s\n' "$HOST" "$KAFKA_SASL_PORT"
	printf 'export BULLPEN_TEST_KAFKA_SSL_ADDR=%s:%s\n' "$HOST" "$KAFKA_SSL_PORT"
	printf 'export BULLPEN_TEST_KAFKA_MTLS_ADDR=%s:%s\n' "$HOST" "$KAFKA_MTLS_PORT"
	printf 'export BULLPEN_TEST_KAFKA_USERNAME=%s\n' "$KAFKA_TEST_USER"
	printf 'export BULLPEN_TEST_KAFKA_PASSWORD=%s\n' "$KAFKA_TEST_PASSWORD"
	printf 'export BULLPEN_TEST_KAFKA_CA_FILE=%s\n' "$tls/ca.crt"
	printf 'export BULLPEN_TEST_KAFKA_CLIENT_CERT_FILE=%s\n' "$tls/client.crt"
	printf 'export BULLPEN_TEST_KAFKA_CLIENT_KEY_FILE=%s\n' "$tls/client.key"
}

# ---------------------------------------------------------------------------
# PostgreSQL

PG_BIN=
PG_DIR=

find_pg_bin() {
	local d
	if [[ -n ${BULLPEN_PG_BIN:-} ]]; then
		PG_BIN=$BULLPEN_PG_BIN
		return 0
	fi
	while IFS= read -r d; do
		if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
			PG_BIN=$d
			return 0
		fi
	done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
	if command -v pg_ctl >/dev/null 2>&1; then
		d=$(dirname -- "$(readlink -f -- "$(command -v pg_ctl)")")
		if [[ -x $d/initdb && -x $d/postgres ]]; then
			PG_BIN=$d
			return 0
		fi
	fi
	return 1
}

ensure_pg_installed() {
	find_pg_bin && return 0
	apt_install postgresql
	find_pg_bin || die "PostgreSQL binaries not found even after apt-get install postgresql"
}

pg_tool() { # psql / pg_isready, preferring the server's own version
	local t=$1
	shift
	if [[ -n $PG_BIN && -x $PG_BIN/$t ]]; then
		"$PG_BIN/$t" "$@"
	else
		"$t" "$@"
	fi
}

as_pg() {
	if is_root; then
		runuser -u "$PG_OS_USER" -- "$@"
	else
		"$@"
	fi
}

ensure_pg_user() {
	is_root || return 0
	if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
		log "creating system user '$PG_OS_USER' (PostgreSQL refuses to run as root)"
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$PG_OS_USER"
	fi
}

pg_fallback_dir() {
	printf '/var/lib/bullpen/pg-%s' "$(printf '%s' "$LOCAL" | cksum | cut -d' ' -f1)"
}

# Sets PG_DIR without creating anything.
pg_resolve_dir() {
	if [[ -n ${BULLPEN_PG_DIR:-} ]]; then
		PG_DIR=$BULLPEN_PG_DIR
	elif [[ ! -d $LOCAL/pg/data && -d $(pg_fallback_dir)/data ]]; then
		PG_DIR=$(pg_fallback_dir)
	else
		PG_DIR=$LOCAL/pg
	fi
}

# Creates PG_DIR, owned by the PG user; switches to the fallback location when the
# PG user cannot reach .local.
pg_prepare_dir() {
	pg_resolve_dir
	mkdir -p "$PG_DIR"
	if is_root; then
		chown "$PG_OS_USER:" "$PG_DIR"
		if ! as_pg test -w "$PG_DIR"; then
			[[ -z ${BULLPEN_PG_DIR:-} ]] || die "user $PG_OS_USER cannot write BULLPEN_PG_DIR=$PG_DIR"
			rmdir "$PG_DIR" 2>/dev/null || true
			PG_DIR=$(pg_fallback_dir)
			log "user $PG_OS_USER cannot reach $LOCAL (parent dirs not traversable): PG data goes to $PG_DIR"
			mkdir -p "$PG_DIR"
			chmod 755 /var/lib/bullpen
			chown "$PG_OS_USER:" "$PG_DIR"
		fi
		# A data dir created earlier by another user (e.g. a non-root run).
		if [[ -d $PG_DIR/data && $(stat -c %U "$PG_DIR/data") != "$PG_OS_USER" ]]; then
			log "chown -R $PG_OS_USER $PG_DIR"
			chown -R "$PG_OS_USER:" "$PG_DIR"
		fi
	fi
	local sockdir=$PG_DIR/run
	mkdir -p "$sockdir"
	if is_root; then chown "$PG_OS_USER:" "$sockdir"; fi
}

pg_socket_dir() {
	local sockdir=$PG_DIR/run
	# Unix socket paths are limited to 107 bytes.
	if ((${#sockdir} + 20 > 107)); then
		sockdir=/tmp/bullpen-pg-$(printf '%s' "$PG_DIR" | cksum | cut -d' ' -f1)
		mkdir -p "$sockdir"
		if is_root; then chown "$PG_OS_USER:" "$sockdir"; fi
	fi
	printf '%s' "$sockdir"
}

pg_ready() {
	pg_tool pg_isready -q -h "$HOST" -p "$PG_PORT" -d postgres -U "$PG_ROLE" >/dev/null 2>&1
}

pg_psql() { # DB SQL
	pg_tool psql -X -q -At -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U "$PG_ROLE" -d "$1" -c "$2"
}

# Pid of our postmaster, if it is alive.
pg_pid() {
	local pid
	pid=$(read_pid "$PG_DIR/data/postmaster.pid" 2>/dev/null) || return 1
	pid_alive "$pid" postgres || return 1
	printf '%s' "$pid"
}

pg_write_conf() {
	local data=$PG_DIR/data sockdir
	sockdir=$(pg_socket_dir)
	# Regenerated every time so port overrides take effect; included from
	# postgresql.conf (added once).
	cat >"$data/bullpen.conf" <<EOF
# Generated by scripts/services.sh - edits are overwritten.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$sockdir'
max_connections = 200
# Sized for a write-heavy ledger: with 256MB and the 1GB WAL default, a busy minute forced a
# checkpoint every few seconds (each then writing whole pages to the WAL again) and backends
# evicted dirty pages themselves.
shared_buffers = 1GB
wal_buffers = 32MB
max_wal_size = 8GB
min_wal_size = 1GB
checkpoint_timeout = 15min
wal_compression = lz4
# Durability is something Bullpen's tests check: keep it on.
fsync = on
synchronous_commit = on
full_page_writes = on
timezone = 'UTC'
log_timezone = 'UTC'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
	if is_root; then chown "$PG_OS_USER:" "$data/bullpen.conf"; fi
	if ! grep -q "^include_if_exists = 'bullpen.conf'" "$data/postgresql.conf"; then
		printf "\n# Added by scripts/services.sh\ninclude_if_exists = 'bullpen.conf'\n" >>"$data/postgresql.conf"
	fi
}

pg_start() {
	ensure_pg_installed
	ensure_pg_user
	pg_prepare_dir
	local data=$PG_DIR/data logf=$PG_DIR/postgres.log

	if pg_pid >/dev/null && pg_ready; then
		log "postgres: already running (pid $(pg_pid), port $PG_PORT)"
	else
		if ! pg_pid >/dev/null && port_open "$PG_PORT"; then
			die "port $PG_PORT is taken by another process (pid $(port_owner_pid "$PG_PORT")); set BULLPEN_PG_PORT"
		fi
		if [[ ! -s $data/PG_VERSION ]]; then
			log "postgres: initdb $data (superuser '$PG_ROLE', trust auth on loopback)"
			rm -rf "$data"
			as_pg "$PG_BIN/initdb" -D "$data" -U "$PG_ROLE" --auth=trust \
				--encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
				{
					show_log_tail "$PG_DIR/initdb.log"
					die "initdb failed"
				}
		fi
		pg_write_conf
		if ! pg_pid >/dev/null; then
			# Stale lock files (after a reboot or a kill -9 the pid in them may be
			# someone else's, or a zombie not yet reaped): nothing of ours is running
			# and the port is free, so they are safe to remove.
			rm -f "$data/postmaster.pid" "$(pg_socket_dir)/.s.PGSQL.$PG_PORT.lock"
			log "postgres: starting on $HOST:$PG_PORT"
			if ! as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$logf" -w -t 60 -s start >&2 9>&-; then
				show_log_tail "$logf"
				die "postgres did not start"
			fi
		fi
		local deadline=$((SECONDS + 60))
		until pg_ready; do
			if ((SECONDS >= deadline)); then
				show_log_tail "$logf"
				die "postgres not answering on $HOST:$PG_PORT"
			fi
			sleep 0.3
		done
	fi
	pg_psql postgres 'SELECT 1' >/dev/null || {
		show_log_tail "$logf"
		die "postgres: SELECT 1 failed"
	}
	if [[ $(pg_psql postgres "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") != 1 ]]; then
		log "postgres: creating database $PG_DB"
		pg_psql postgres "CREATE DATABASE $PG_DB OWNER $PG_ROLE" >/dev/null
	fi
	pg_psql "$PG_DB" 'SELECT 1' >/dev/null || die "postgres: cannot query database $PG_DB"
	log "postgres: ready (database $PG_DB on $HOST:$PG_PORT, data $data)"
}

pg_stop() {
	pg_resolve_dir
	local pid
	if ! pid=$(pg_pid); then
		log "postgres: not running"
		return 0
	fi
	find_pg_bin || die "PostgreSQL binaries not found"
	log "postgres: stopping (pid $pid)"
	if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 -s stop >&2; then
		log "postgres: pg_ctl stop failed, sending SIGKILL"
		kill -9 "$pid" 2>/dev/null || true
		wait_gone "$pid" 10 || true
	fi
}

pg_kill() {
	pg_resolve_dir
	local pid
	if pid=$(pg_pid); then
		# The postmaster and its children at once, like a crash of the machine.
		local -a pids=("$pid")
		local c
		while IFS= read -r c; do [[ -n $c ]] && pids+=("$c"); done < <(pgrep -P "$pid" || true)
		log "postgres: kill -9 ${pids[*]}"
		kill -9 "${pids[@]}" 2>/dev/null || true
		for c in "${pids[@]}"; do wait_gone "$c" 10 || true; done
	else
		log "postgres: not running"
	fi
}

pg_status() {
	pg_resolve_dir
	local pid
	if pid=$(pg_pid) && pg_ready; then
		log "postgres: running (pid $pid, $HOST:$PG_PORT, data $PG_DIR/data)"
	else
		log "postgres: DOWN"
		return 1
	fi
}

# ---------------------------------------------------------------------------
# Redis

REDIS_DIR=
redis_paths() { REDIS_DIR=$LOCAL/redis; }

ensure_redis_installed() {
	if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
		apt_install redis-server redis-tools
	fi
}

redis_cli() { redis-cli -h "$HOST" -p "$REDIS_PORT" "$@"; }

redis_ping() { [[ $(redis_cli ping 2>/dev/null) == PONG ]]; }

redis_pid() {
	local pid
	pid=$(read_pid "$REDIS_DIR/redis.pid" 2>/dev/null) || return 1
	pid_alive "$pid" redis-server || return 1
	printf '%s' "$pid"
}

redis_start() {
	redis_paths
	ensure_redis_installed
	mkdir -p "$REDIS_DIR"
	if redis_pid >/dev/null && redis_ping; then
		log "redis: already running (pid $(redis_pid), port $REDIS_PORT)"
		return 0
	fi
	if ! redis_pid >/dev/null && port_open "$REDIS_PORT"; then
		die "port $REDIS_PORT is taken by another process (pid $(port_owner_pid "$REDIS_PORT")); set BULLPEN_REDIS_PORT"
	fi
	cat >"$REDIS_DIR/redis.conf" <<EOF
# Generated by scripts/services.sh - edits are overwritten.
bind $HOST
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile "$REDIS_DIR/redis.pid"
logfile "$REDIS_DIR/redis.log"
dir "$REDIS_DIR"
loglevel notice
databases 16
appendonly no
save ""
EOF
	redis_server_up "$REDIS_DIR" redis "$REDIS_PORT"
	log "redis: ready ($HOST:$REDIS_PORT)"
}

# redis_server_up DIR NAME PORT: start a redis-server on DIR/redis.conf unless the one of
# DIR/redis.pid runs, then wait until it answers on PORT.
redis_server_up() {
	local dir=$1 name=$2 port=$3
	if ! pid_alive "$(read_pid "$dir/redis.pid" 2>/dev/null)" redis-server; then
		rm -f "$dir/redis.pid"
		log "$name: starting on $HOST:$port"
		redis-server "$dir/redis.conf" >&2 9>&- || {
			show_log_tail "$dir/redis.log"
			die "$name: redis-server failed to start"
		}
	fi
	local deadline=$((SECONDS + 30))
	until [[ $(redis-cli -h "$HOST" -p "$port" ping 2>/dev/null) == PONG ]]; do
		if ((SECONDS >= deadline)); then
			show_log_tail "$dir/redis.log"
			die "$name not answering on $HOST:$port"
		fi
		sleep 0.2
	done
}

redis_stop() {
	redis_paths
	local pid
	if ! pid=$(redis_pid); then
		log "redis: not running"
		return 0
	fi
	log "redis: stopping (pid $pid)"
	redis_cli shutdown nosave >/dev/null 2>&1 || true
	if ! wait_gone "$pid" 10; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$pid" 10; then
			log "redis: still alive, SIGKILL"
			kill -9 "$pid" 2>/dev/null || true
			wait_gone "$pid" 5 || true
		fi
	fi
	rm -f "$REDIS_DIR/redis.pid"
}

redis_kill() {
	redis_paths
	local pid
	if pid=$(redis_pid); then
		log "redis: kill -9 $pid"
		kill -9 "$pid"
		wait_gone "$pid" 10 || true
		rm -f "$REDIS_DIR/redis.pid"
	else
		log "redis: not running"
	fi
}

redis_status() {
	redis_paths
	local pid
	if pid=$(redis_pid) && redis_ping; then
		log "redis: running (pid $pid, $HOST:$REDIS_PORT)"
	else
		log "redis: DOWN"
		return 1
	fi
}

# ---------------------------------------------------------------------------
# Redis Cluster (on request: cluster-up): three masters and no replicas, for the tests that
# hold the projection's keys and scripts to a cluster. Each node's cluster bus is on its port
# + 1000 (Redis's default, + 10000, would be in the ephemeral range).

CLUSTER_DIR=
cluster_paths() { CLUSTER_DIR=$LOCAL/redis-cluster; }

cluster_ports() { printf '%s\n' "$REDIS_CLUSTER_PORT" "$((REDIS_CLUSTER_PORT + 1))" "$((REDIS_CLUSTER_PORT + 2))"; }

# The URL Bullpen reads a cluster from: any node, the others as addr= (internal/redis).
cluster_url() {
	local -a ports
	mapfile -t ports < <(cluster_ports)
	printf 'redis+cluster://%s:%s/?addr=%s:%s&addr=%s:%s' "$HOST" "${ports[0]}" \
		"$HOST" "${ports[1]}" "$HOST" "${ports[2]}"
}

# Quoted: the URL's & would end the command in an eval.
cluster_env_lines() { printf "export BULLPEN_TEST_REDIS_CLUSTER_URL='%s'\n" "$(cluster_url)"; }

node_cli() { # PORT ARGS...
	local port=$1
	shift
	redis-cli -h "$HOST" -p "$port" "$@"
}

node_ping() { [[ $(node_cli "$1" ping 2>/dev/null) == PONG ]]; }

node_pid() { # PORT
	local pid
	pid=$(read_pid "$CLUSTER_DIR/$1/redis.pid" 2>/dev/null) || return 1
	pid_alive "$pid" redis-server || return 1
	printf '%s' "$pid"
}

# cluster_info PORT FIELD: one field of a node's CLUSTER INFO (nothing if it does not answer).
cluster_info() {
	node_cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

node_start() { # PORT
	local port=$1 dir=$CLUSTER_DIR/$1
	mkdir -p "$dir"
	if node_pid "$port" >/dev/null && node_ping "$port"; then
		log "redis cluster: node $port already running (pid $(node_pid "$port"))"
		return 0
	fi
	if ! node_pid "$port" >/dev/null; then
		local p
		for p in "$port" "$((port + 1000))"; do
			if port_open "$p"; then
				die "port $p is taken by another process (pid $(port_owner_pid "$p")); set BULLPEN_REDIS_CLUSTER_PORT"
			fi
		done
	fi
	# nodes.conf (the node's id and the cluster it joined) is kept, so a restarted node rejoins;
	# the data is not.
	cat >"$dir/redis.conf" <<EOF
# Generated by scripts/services.sh - edits are overwritten.
bind $HOST
port $port
cluster-enabled yes
cluster-port $((port + 1000))
cluster-config-file nodes.conf
cluster-node-timeout 5000
protected-mode yes
daemonize yes
pidfile "$dir/redis.pid"
logfile "$dir/redis.log"
dir "$dir"
loglevel notice
appendonly no
save ""
EOF
	redis_server_up "$dir" "redis cluster node $port (bus $((port + 1000)))" "$port"
}

# Start the nodes, create the cluster the first time (no node has a slot yet), and wait until
# every node says cluster_state:ok.
cluster_start() {
	cluster_paths
	ensure_redis_installed
	local port n assigned=0
	while IFS= read -r port; do node_start "$port"; done < <(cluster_ports)
	while IFS= read -r port; do
		n=$(cluster_info "$port" cluster_slots_assigned)
		assigned=$((assigned + ${n:-0}))
	done < <(cluster_ports)
	if ((assigned == 0)); then
		local -a addrs
		mapfile -t addrs < <(cluster_ports | sed "s/^/$HOST:/")
		log "redis cluster: creating it (${addrs[*]}, no replicas)"
		redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes \
			>"$CLUSTER_DIR/create.log" 2>&1 || {
			show_log_tail "$CLUSTER_DIR/create.log"
			die "redis-cli --cluster create failed"
		}
	fi
	local deadline=$((SECONDS + 30)) bad
	while :; do
		bad=
		while IFS= read -r port; do
			[[ $(cluster_info "$port" cluster_state) == ok ]] || bad+=" $port"
		done < <(cluster_ports)
		[[ -n $bad ]] || break
		if ((SECONDS >= deadline)); then
			for port in $bad; do show_log_tail "$CLUSTER_DIR/$port/redis.log" 10; done
			die "redis cluster: cluster_state not ok on$bad after 30s ('$0 cluster-reset' makes it anew)"
		fi
		sleep 0.2
	done
	log "redis cluster: ready ($(cluster_url))"
}

cluster_stop() {
	cluster_paths
	local port pid
	while IFS= read -r port; do
		pid=$(node_pid "$port") || continue
		log "redis cluster: stopping node $port (pid $pid)"
		node_cli "$port" shutdown nosave >/dev/null 2>&1 || true
		if ! wait_gone "$pid" 10; then
			log "redis cluster: node $port still alive, SIGKILL"
			kill -9 "$pid" 2>/dev/null || true
			wait_gone "$pid" 5 || true
		fi
		rm -f "$CLUSTER_DIR/$port/redis.pid"
	done < <(cluster_ports)
}

# Said only once the cluster was started here: it runs on request, so its absence is no fault.
cluster_status() {
	cluster_paths
	[[ -d $CLUSTER_DIR ]] || return 0
	local port
	while IFS= read -r port; do
		if node_pid "$port" >/dev/null && node_ping "$port"; then
			log "redis cluster: node $port running (pid $(node_pid "$port"), cluster_state $(cluster_info "$port" cluster_state))"
		else
			log "redis cluster: node $port down"
		fi
	done < <(cluster_ports)
}

# ---------------------------------------------------------------------------
# Kafka

KDIR=
KLIBS=
KPROPS=
KSTARTED=
KTLS=
kafka_paths() {
	KDIR=$LOCAL/kafka
	KLIBS=$KDIR/libs
	KPROPS=$KDIR/server.properties
	# The running broker's pid and a copy of the properties it was started with: when they
	# are another process's, differ from what kafka_write_props writes now, or are missing
	# (a broker started by an older script), `up` restarts it.
	KSTARTED=$KDIR/server.properties.running
	KTLS=$KDIR/tls
}

ensure_java() {
	if ! command -v java >/dev/null 2>&1; then
		apt_install openjdk-17-jre-headless
	fi
	local v
	v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
	[[ ${v%%.*} =~ ^[0-9]+$ && ${v%%.*} -ge 17 ]] || die "Kafka 4.x needs Java 17+, found '${v:-unknown}' at $(command -v java)"
}

kafka_pom_sha() { sha256sum <"$KAFKA_POM" | cut -d' ' -f1; }

kafka_libs_fresh() {
	local stamp=$KLIBS/.pom.sha256
	[[ -f $stamp && $(<"$stamp") == "$(kafka_pom_sha)" ]] &&
		compgen -G "$KLIBS/kafka_2.13-*.jar" >/dev/null
}

ensure_kafka_libs() {
	kafka_libs_fresh && return 0
	local want
	want=$(kafka_pom_sha)
	if kafka_pid >/dev/null; then
		# Jars are opened lazily: never swap them under a running broker.
		log "kafka: $KAFKA_POM changed: stopping the broker to replace its jars"
		kafka_stop
	fi
	command -v mvn >/dev/null 2>&1 || apt_install maven
	log "kafka: resolving broker jars from Maven Central into $KLIBS (first time: ~100 MB, a minute or two)"
	local tmp=$KDIR/libs.tmp mvnlog=$KDIR/mvn.log
	rm -rf "$tmp"
	if ! mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies \
		-DoutputDirectory="$tmp" -DincludeScope=runtime >"$mvnlog" 2>&1; then
		show_log_tail "$mvnlog" 60
		die "mvn could not resolve the Kafka broker from $KAFKA_POM"
	fi
	compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "mvn ran but no kafka_2.13 jar in $tmp"
	printf '%s\n' "$want" >"$tmp/.pom.sha256"
	rm -rf "$KLIBS"
	mv "$tmp" "$KLIBS"
	log "kafka: $(find "$KLIBS" -name '*.jar' | wc -l) jars in $KLIBS"
}

# java_tool [timeout SECS] MAIN ARGS...: run a Kafka CLI class with a small,
# fast-starting JVM (optionally under timeout(1)).
java_tool() {
	local -a pre=()
	if [[ $1 == timeout ]]; then
		pre=(timeout "$2")
		shift 2
	fi
	"${pre[@]}" java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
		-Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_TOOLS_LOG4J" \
		-cp "$KLIBS/*" "$@"
}

kafka_write_props() {
	mkdir -p "$KDIR/data"
	cat >"$KPROPS.tmp" <<EOF
# Generated by scripts/services.sh - edits are overwritten.
# Single-node KRaft, combined broker+controller, for local tests only.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://$HOST:$KAFKA_SASL_PORT,SSL://$HOST:$KAFKA_SSL_PORT,MTLS://$HOST:$KAFKA_MTLS_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT,SASL_PLAINTEXT://$HOST:$KAFKA_SASL_PORT,SSL://$HOST:$KAFKA_SSL_PORT,MTLS://$HOST:$KAFKA_MTLS_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL
log.dirs=$KDIR/data

# SASL_PLAINTEXT: the PLAIN login is the JAAS line's user; the SCRAM logins are credentials
# in the cluster's metadata, added by kafka_scram_users.
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_TEST_USER="$KAFKA_TEST_PASSWORD";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
# SSL: the broker's key and certificate (signed by the local CA) in one PEM file, no client
# certificate asked for. MTLS: the same, and a client certificate of the local CA required.
listener.name.ssl.ssl.keystore.type=PEM
listener.name.ssl.ssl.keystore.location=$KTLS/broker.pem
listener.name.ssl.ssl.client.auth=none
listener.name.mtls.ssl.keystore.type=PEM
listener.name.mtls.ssl.keystore.location=$KTLS/broker.pem
listener.name.mtls.ssl.truststore.type=PEM
listener.name.mtls.ssl.truststore.location=$KTLS/ca.crt
listener.name.mtls.ssl.client.auth=required

num.partitions=6
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
# A record's timestamp is when the broker appended it: Bullpen reads it as the event's
# arrival, which decides whether a late event still counts before a board becomes final.
log.message.timestamp.type=LogAppendTime
delete.topic.enable=true

# Internal topics: one replica, and fewer partitions than the default 50 so the
# first consumer group / transaction comes up fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=10

# After a kill -9 the restarted broker cannot register until the old
# incarnation's session expires (default 9 s): shorter for fault tests.
broker.session.timeout.ms=5000
broker.heartbeat.interval.ms=1000

# Tests: no rebalance delay, and allow short consumer session timeouts
# (classic protocol, as kafka-go uses, and the KIP-848 consumer protocol).
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
group.consumer.min.session.timeout.ms=1000
group.consumer.min.heartbeat.interval.ms=500
EOF
	if [[ -f $KPROPS ]] && cmp -s "$KPROPS" "$KPROPS.tmp"; then
		rm -f "$KPROPS.tmp"
	else
		mv "$KPROPS.tmp" "$KPROPS"
	fi
}

# ensure_kafka_tls: a local CA, the broker's certificate for 127.0.0.1 and localhost and a
# client certificate, all signed by that CA, generated once into $KTLS (kept by `reset`).
ensure_kafka_tls() {
	local f missing=0
	for f in ca.crt broker.pem client.crt client.key; do
		[[ -s $KTLS/$f ]] || missing=1
	done
	((missing)) || return 0
	command -v openssl >/dev/null 2>&1 || apt_install openssl
	log "kafka: generating a local CA and the SSL listener's certificates in $KTLS"
	local tmp=$KTLS.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	(
		cd "$tmp"
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=Bullpen local Kafka CA' \
			-keyout ca.key -out ca.crt -addext 'basicConstraints=critical,CA:TRUE' \
			-addext 'keyUsage=critical,keyCertSign,cRLSign'
		openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout broker.key -out broker.csr
		printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth\n' "$HOST" >broker.ext
		openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
			-extfile broker.ext -out broker.crt
		openssl req -newkey rsa:2048 -nodes -subj '/CN=bullpen-client' -keyout client.key -out client.csr
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
			-extfile client.ext -out client.crt
		# Kafka's PEM key store: the private key (unencrypted PKCS#8) followed by its chain.
		openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.p8
		cat broker.p8 broker.crt ca.crt >broker.pem
		rm -f ./*.csr ./*.ext broker.p8 ca.srl
		chmod 600 ./*.key broker.pem
	) >"$KDIR/openssl.log" 2>&1 || {
		show_log_tail "$KDIR/openssl.log"
		die "kafka: could not generate the TLS certificates"
	}
	rm -rf "$KTLS"
	mv "$tmp" "$KTLS"
}

kafka_pid() {
	local pid
	pid=$(read_pid "$KDIR/kafka.pid" 2>/dev/null) || return 1
	pid_alive "$pid" kafka.Kafka || return 1
	printf '%s' "$pid"
}

kafka_topics() { # TopicCommand ARGS...
	java_tool timeout 120 org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$KAFKA_PORT" "$@"
}

kafka_fail() {
	show_log_tail "$KDIR/kafka.log" 60
	show_log_tail "$KDIR/kafka.out" 20
	die "$*"
}

# Launch the broker if it is not running; does not wait.
kafka_launch() {
	kafka_paths
	ensure_java
	mkdir -p "$KDIR"
	ensure_kafka_libs
	ensure_kafka_tls
	kafka_write_props
	local pid owner port
	if ! pid=$(kafka_pid); then
		pid=
		rm -f "$KDIR/kafka.pid"
		# Adopt an orphaned broker of ours (pid file lost).
		for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
			port_open "$port" || continue
			owner=$(port_owner_pid "$port") || true
			if [[ -n $owner ]] && pid_alive "$owner" "kafka.Kafka $KPROPS"; then
				log "kafka: adopting running broker pid $owner"
				printf '%s\n' "$owner" >"$KDIR/kafka.pid"
				pid=$owner
				break
			fi
		done
	fi
	if [[ -n $pid ]]; then
		if [[ -f $KSTARTED && $(head -n1 "$KSTARTED") == "# pid $pid" ]] &&
			tail -n +2 "$KSTARTED" | cmp -s - "$KPROPS"; then
			log "kafka: already running (pid $pid)"
			return 0
		fi
		# Its listeners or settings are not those of this script (such as a broker started
		# before the SASL and SSL listeners existed): restart it on the same data.
		log "kafka: running (pid $pid) with an older configuration: restarting it with $KPROPS"
		kafka_stop
	fi
	# Refuse a port someone else holds.
	for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT" "$KAFKA_SSL_PORT" "$KAFKA_MTLS_PORT"; do
		if port_open "$port"; then
			die "port $port is taken by another process (pid $(port_owner_pid "$port")); set BULLPEN_KAFKA_PORT / _CONTROLLER_PORT / _SASL_PORT / _SSL_PORT / _MTLS_PORT"
		fi
	done
	if [[ ! -f $KDIR/data/meta.properties ]]; then
		if [[ ! -s $KDIR/cluster.id ]]; then
			local id
			id=$(java_tool kafka.tools.StorageTool random-uuid | tail -n1 | tr -d '[:space:]')
			[[ -n $id ]] || die "kafka: StorageTool random-uuid printed nothing"
			printf '%s\n' "$id" >"$KDIR/cluster.id"
		fi
		log "kafka: formatting $KDIR/data (cluster id $(<"$KDIR/cluster.id"))"
		java_tool kafka.tools.StorageTool format --standalone -t "$(<"$KDIR/cluster.id")" \
			-c "$KPROPS" --ignore-formatted >&2 || die "kafka: storage format failed"
	fi
	log "kafka: starting broker on $HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT, SASL $KAFKA_SASL_PORT, SSL $KAFKA_SSL_PORT, mTLS $KAFKA_MTLS_PORT)"
	local -a heap
	read -r -a heap <<<"$KAFKA_HEAP_OPTS"
	# setsid: own session, so a Ctrl-C in the calling shell does not reach it.
	# All output goes to files: `eval "$(services.sh up)"` must not wait on it.
	setsid nohup java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
		-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
		-Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_LOG4J" \
		-Dbullpen.kafka.logfile="$KDIR/kafka.log" \
		-cp "$KLIBS/*" kafka.Kafka "$KPROPS" >>"$KDIR/kafka.out" 2>&1 </dev/null 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$KDIR/kafka.pid"
	{
		printf '# pid %s\n' "$pid"
		cat "$KPROPS"
	} >"$KSTARTED"
}

# Wait until the broker answers a metadata request, then create missing topics.
kafka_wait_ready() {
	kafka_paths
	local deadline=$((SECONDS + KAFKA_WAIT)) start=$SECONDS pid
	pid=$(read_pid "$KDIR/kafka.pid") || kafka_fail "kafka: no pid file"
	until port_open "$KAFKA_PORT"; do
		pid_alive "$pid" || kafka_fail "kafka: broker process $pid exited during start-up"
		((SECONDS < deadline)) || kafka_fail "kafka: port $KAFKA_PORT not open after ${KAFKA_WAIT}s"
		sleep 0.5
	done
	local topics="" out
	while :; do
		pid_alive "$pid" || kafka_fail "kafka: broker process $pid exited during start-up"
		if out=$(kafka_topics --list 2>"$KDIR/tools.err"); then
			topics=$out
			break
		fi
		((SECONDS < deadline)) || {
			show_log_tail "$KDIR/tools.err" 20
			kafka_fail "kafka: metadata request (TopicCommand --list) failing after ${KAFKA_WAIT}s"
		}
		sleep 1
	done
	log "kafka: answering on $HOST:$KAFKA_PORT (pid $pid, $((SECONDS - start))s)"
	local spec name parts
	for spec in "${KAFKA_TOPICS[@]}"; do
		name=${spec%%:*}
		parts=${spec##*:}
		if ! grep -qxF -- "$name" <<<"$topics"; then
			log "kafka: creating topic $name ($parts partitions)"
			kafka_topics --create --if-not-exists --topic "$name" --partitions "$parts" \
				--replication-factor 1 >&2 || kafka_fail "kafka: could not create topic $name"
		fi
	done
	for port in "$KAFKA_SASL_PORT" "$KAFKA_SSL_PORT" "$KAFKA_MTLS_PORT"; do
		until port_open "$port"; do
			pid_alive "$pid" || kafka_fail "kafka: broker process $pid exited during start-up"
			((SECONDS < deadline)) || kafka_fail "kafka: port $port not open after ${KAFKA_WAIT}s"
			sleep 0.5
		done
	done
	kafka_scram_users
	log "kafka: ready (topics: ${KAFKA_TOPICS[*]%%:*}; SASL on $KAFKA_SASL_PORT, SSL on $KAFKA_SSL_PORT, mTLS on $KAFKA_MTLS_PORT)"
}

# kafka_scram_users: the test login's SCRAM-SHA-256 and -512 credentials, added once per
# cluster through the admin API (KRaft keeps them in its metadata, so they survive restarts;
# the stamp lives in the data directory, so a new cluster gets them again).
kafka_scram_users() {
	local stamp=$KDIR/data/.bullpen-scram-login want="$KAFKA_TEST_USER $KAFKA_TEST_PASSWORD"
	[[ -f $stamp && $(<"$stamp") == "$want" ]] && return 0
	local mech
	for mech in SCRAM-SHA-256 SCRAM-SHA-512; do # one per request: the broker refuses two at once
		log "kafka: adding the $mech login '$KAFKA_TEST_USER'"
		java_tool timeout 120 org.apache.kafka.tools.ConfigCommand --bootstrap-server "$HOST:$KAFKA_PORT" \
			--alter --entity-type users --entity-name "$KAFKA_TEST_USER" \
			--add-config "$mech=[password=$KAFKA_TEST_PASSWORD]" >&2 ||
			kafka_fail "kafka: could not add the $mech login"
	done
	printf '%s\n' "$want" >"$stamp"
}

kafka_start() {
	kafka_launch
	kafka_wait_ready
}

kafka_stop() {
	kafka_paths
	local pid
	if ! pid=$(kafka_pid); then
		log "kafka: not running"
		rm -f "$KDIR/kafka.pid"
		return 0
	fi
	log "kafka: stopping (pid $pid, SIGTERM)"
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 20; then
		log "kafka: still alive after 20s, SIGKILL"
		kill -9 "$pid" 2>/dev/null || true
		wait_gone "$pid" 10 || true
	fi
	rm -f "$KDIR/kafka.pid" "$KSTARTED"
	log "kafka: stopped"
}

kafka_kill() {
	kafka_paths
	local pid
	if pid=$(kafka_pid); then
		log "kafka: kill -9 $pid"
		kill -9 "$pid"
		wait_gone "$pid" 10 || true
		rm -f "$KDIR/kafka.pid" "$KSTARTED"
	else
		log "kafka: not running"
	fi
}

kafka_status() {
	kafka_paths
	local pid
	if pid=$(kafka_pid) && port_open "$KAFKA_PORT"; then
		log "kafka: running (pid $pid, $HOST:$KAFKA_PORT)"
	else
		log "kafka: DOWN"
		return 1
	fi
}

# ---------------------------------------------------------------------------
# commands

write_env() {
	env_lines >"$LOCAL/env.tmp"
	mv "$LOCAL/env.tmp" "$LOCAL/env"
}

cmd_up() {
	local start=$SECONDS
	# Kafka first: its JVM start-up is the slowest, so Postgres and Redis come up
	# while it boots.
	kafka_launch
	pg_start
	redis_start
	kafka_wait_ready
	write_env
	log "all services up ($((SECONDS - start))s); env in $LOCAL/env"
	env_lines
}

cmd_down() {
	local rc=0
	kafka_stop || rc=1
	redis_stop || rc=1
	cluster_stop || rc=1
	pg_stop || rc=1
	return "$rc"
}

cmd_status() {
	local rc=0
	pg_status || rc=1
	redis_status || rc=1
	kafka_status || rc=1
	cluster_status
	return "$rc"
}

cmd_cluster_up() {
	cluster_start
	cluster_env_lines
}

cmd_cluster_reset() {
	cluster_stop
	log "deleting the redis cluster: $CLUSTER_DIR"
	rm -rf "$CLUSTER_DIR"
}

cmd_reset() {
	cmd_down
	pg_resolve_dir
	kafka_paths
	cluster_paths
	log "deleting service data: $PG_DIR/data $LOCAL/redis $CLUSTER_DIR $KDIR/data $KDIR/cluster.id"
	rm -rf "$PG_DIR/data" "$LOCAL/redis" "$CLUSTER_DIR" "$KDIR/data" "$KDIR/cluster.id" \
		"$KDIR/kafka.log" "$KDIR/kafka.out" "$LOCAL/env"
}

usage() {
	sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

main() {
	local cmd=${1:-}
	[[ $# -eq 0 ]] || shift
	case $cmd in
	env)
		env_lines
		return 0
		;;
	"" | -h | --help | help)
		usage
		[[ -n $cmd ]]
		return
		;;
	esac
	init_local
	lock_local
	case $cmd in
	up) cmd_up ;;
	down) cmd_down ;;
	status) cmd_status ;;
	reset) cmd_reset ;;
	cluster-up) cmd_cluster_up ;;
	cluster-down) cluster_stop ;;
	cluster-reset) cmd_cluster_reset ;;
	start-kafka) kafka_start ;;
	stop-kafka) kafka_stop ;;
	restart-kafka)
		kafka_stop
		kafka_start
		;;
	kill-kafka) kafka_kill ;;
	start-redis) redis_start ;;
	stop-redis) redis_stop ;;
	restart-redis)
		redis_stop
		redis_start
		;;
	kill-redis) redis_kill ;;
	start-pg) pg_start ;;
	stop-pg) pg_stop ;;
	restart-pg)
		pg_stop
		pg_start
		;;
	kill-pg) pg_kill ;;
	topics)
		kafka_paths
		[[ -d $KLIBS ]] || die "kafka libs missing: run '$0 up' first"
		if [[ $# -eq 0 ]]; then set -- --describe; fi
		kafka_topics "$@"
		;;
	*)
		usage
		die "unknown command '$cmd'"
		;;
	esac
}

main "$@"
