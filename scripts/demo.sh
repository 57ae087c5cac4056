#!/usr/bin/env bash
# scripts/demo.sh - the live demo: server + consumer + three live contests + a simulated
# sales floor, until Ctrl-C. `make demo` builds, starts the services and runs this.
#
# Expects the export lines of `scripts/services.sh up` to be evaluated (else it sources
# .local/env) and bin/server, bin/consumer, bin/simulator to be built (`make build`).
#
# Environment (all optional):
#   DEMO_DURATION       stop the simulator after this long (Go duration, e.g. 40s); default: Ctrl-C
#   DEMO_RATE           simulated events per second (default 20)
#   DEMO_SERVER_ADDR    where the server listens (default 127.0.0.1:8080)
#   DEMO_CONSUMER_ADDR  where the consumer listens (default 127.0.0.1:8081)
#
# State kept across runs in .local/demo/: the admin token, the display token, pid files and
# the logs of server and consumer. Re-running reuses the tokens and the live contests.
# On exit the server and consumer are stopped; PostgreSQL, Redis and Kafka keep running
# (`make services-down` stops them).

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
LOCAL=${BULLPEN_LOCAL_DIR:-$ROOT/.local}
DEMO=$LOCAL/demo
BIN=$ROOT/bin

SERVER_ADDR=${DEMO_SERVER_ADDR:-127.0.0.1:8080}
CONSUMER_ADDR=${DEMO_CONSUMER_ADDR:-127.0.0.1:8081}
RATE=${DEMO_RATE:-20}
DURATION=${DEMO_DURATION:-0}
BASE=http://$SERVER_ADDR
API=$BASE/api/v1

log() { printf '[demo] %s\n' "$*" >&2; }
die() {
	printf '[demo] ERROR: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# environment and binaries

if [[ -z ${BULLPEN_DATABASE_URL:-} || -z ${BULLPEN_REDIS_URL:-} || -z ${BULLPEN_KAFKA_BROKERS:-} ]]; then
	[[ -f $LOCAL/env ]] || die "BULLPEN_* are not set and $LOCAL/env does not exist: run 'eval \"\$(scripts/services.sh up)\"' (or 'make demo')"
	log "BULLPEN_* not set: reading $LOCAL/env"
	# shellcheck disable=SC1091
	source "$LOCAL/env"
fi
export BULLPEN_DATABASE_URL BULLPEN_REDIS_URL BULLPEN_KAFKA_BROKERS

for b in server consumer simulator; do
	[[ -x $BIN/$b ]] || die "$BIN/$b is missing: run 'make build'"
done
command -v curl >/dev/null 2>&1 || die "curl is required"
if command -v jq >/dev/null 2>&1; then
	HAVE_JQ=1
else
	HAVE_JQ=0
	command -v python3 >/dev/null 2>&1 || die "jq or python3 is required to read the API's JSON"
fi

mkdir -p "$DEMO"

# ---------------------------------------------------------------------------
# JSON helpers (jq, else python3); both read the document on stdin

# json_field KEY: the top-level string/number KEY, empty if absent.
json_field() {
	if ((HAVE_JQ)); then
		jq -r --arg k "$1" '.[$k] // empty'
	else
		python3 -c 'import json,sys
v = json.load(sys.stdin).get(sys.argv[1])
print("" if v is None else v)' "$1"
	fi
}

# json_id_by_name NAME: the id of the first of .items named NAME, empty if none.
json_id_by_name() {
	if ((HAVE_JQ)); then
		jq -r --arg n "$1" '[.items[]? | select(.name == $n) | .id][0] // empty'
	else
		python3 -c 'import json,sys
ids = [i["id"] for i in json.load(sys.stdin).get("items") or [] if i.get("name") == sys.argv[1]]
print(ids[0] if ids else "")' "$1"
	fi
}

# json_error: "code: message (field)" of an API error body, or the body itself.
json_error() {
	local body
	body=$(cat)
	if ((HAVE_JQ)); then
		jq -r '.error | "\(.code): \(.message)" + (if .field then " (\(.field))" else "" end)' <<<"$body" 2>/dev/null || printf '%s' "$body"
	else
		python3 -c 'import json,sys
e = json.load(sys.stdin)["error"]
print("%s: %s%s" % (e.get("code"), e.get("message"), " (%s)" % e["field"] if e.get("field") else ""))' <<<"$body" 2>/dev/null || printf '%s' "$body"
	fi
}

# ---------------------------------------------------------------------------
# HTTP

# api TOKEN METHOD PATH [BODY]: print the response body; fail unless 2xx.
api() {
	local token=$1 method=$2 path=$3 body=${4:-} out code
	out=$(mktemp)
	local -a args=(-sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" --max-time 30)
	if [[ -n $body ]]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	if ! code=$(curl "${args[@]}" "$API$path"); then
		rm -f "$out"
		die "$method $path: the server did not answer"
	fi
	if [[ $code != 2* ]]; then
		local msg
		msg=$(json_error <"$out")
		rm -f "$out"
		die "$method $path: HTTP $code: $msg"
	fi
	cat "$out"
	rm -f "$out"
}

# http_status URL [TOKEN]: the status code, 000 if nothing answered.
http_status() {
	local -a auth=()
	[[ -n ${2:-} ]] && auth=(-H "Authorization: Bearer $2")
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${auth[@]}" "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# processes

SERVER_PID=
CONSUMER_PID=
SIM_PID=

# pid_ours PIDFILE BINARY: the pid in PIDFILE if it is alive and runs BINARY.
pid_ours() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
	printf '%s' "$pid"
}

# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
	local stat
	kill -0 "$1" 2>/dev/null || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# stop_pid PID NAME: SIGTERM, wait up to 30 s, then SIGKILL.
stop_pid() {
	local pid=$1 name=$2 i
	if alive "$pid"; then
		log "stopping $name (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 300; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			log "$name did not stop in 30 s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	# Reap it if it is our child (one left by an earlier run is not).
	wait "$pid" 2>/dev/null || true
}

# A demo killed hard (kill -9, a closed terminal) may leave its server or consumer running.
stop_leftover() {
	local name=$1 pid
	if pid=$(pid_ours "$DEMO/$name.pid" "$BIN/$name"); then
		log "a $name from an earlier demo run is still running"
		stop_pid "$pid" "$name"
	fi
	rm -f "$DEMO/$name.pid"
}

port_open() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "${1%:*}" "${1##*:}" 2>/dev/null
}

cleaned=0
cleanup() {
	local rc=$?
	((cleaned)) && return
	cleaned=1
	trap '' INT TERM
	[[ -n $SIM_PID ]] && stop_pid "$SIM_PID" simulator
	[[ -n $SERVER_PID ]] && stop_pid "$SERVER_PID" server
	[[ -n $CONSUMER_PID ]] && stop_pid "$CONSUMER_PID" consumer
	rm -f "$DEMO/simulator.pid" "$DEMO/server.pid" "$DEMO/consumer.pid"
	if [[ -n $SERVER_PID || -n $CONSUMER_PID ]]; then
		log "server and consumer stopped (logs in $DEMO); PostgreSQL, Redis and Kafka are still running: 'make services-down' stops them"
	fi
	return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_tail() {
	local f=$1
	[[ -s $f ]] || return 0
	printf '[demo] ---- last lines of %s ----\n' "$f" >&2
	tail -n 30 "$f" >&2
	printf '[demo] ----\n' >&2
}

# start NAME ADDR [ARGS...]: run bin/NAME in the background, in its own session so a Ctrl-C
# reaches only this script and the simulator, and the stop order stays ours.
start() {
	local name=$1 addr=$2
	shift 2
	port_open "$addr" && die "$addr is already in use (another server?); set DEMO_SERVER_ADDR / DEMO_CONSUMER_ADDR"
	# This run's log alone, so a failure's tail is about this run; the previous one is kept.
	[[ -f $DEMO/$name.log ]] && mv -f "$DEMO/$name.log" "$DEMO/$name.log.1"
	local -a pre=()
	command -v setsid >/dev/null 2>&1 && pre=(setsid)
	BULLPEN_HTTP_ADDR=$addr "${pre[@]}" "$BIN/$name" "$@" >"$DEMO/$name.log" 2>&1 </dev/null &
	local pid=$!
	printf '%s\n' "$pid" >"$DEMO/$name.pid"
	log "$name started (pid $pid, $addr, log $DEMO/$name.log)"
	if [[ $name == server ]]; then SERVER_PID=$pid; else CONSUMER_PID=$pid; fi
}

# wait_ready NAME ADDR PID: until GET /readyz answers 200 (60 s).
wait_ready() {
	local name=$1 addr=$2 pid=$3 deadline=$((SECONDS + 60)) code
	while :; do
		code=$(http_status "http://$addr/readyz")
		[[ $code == 200 ]] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			show_tail "$DEMO/$name.log"
			die "$name exited during start-up"
		fi
		if ((SECONDS >= deadline)); then
			show_tail "$DEMO/$name.log"
			die "$name not ready after 60 s (GET http://$addr/readyz: $code)"
		fi
		sleep 0.5
	done
	log "$name ready"
}

# ---------------------------------------------------------------------------
# tokens

# The admin token is made once and kept, so every run (and the wall display) agrees on it.
ADMIN_FILE=$DEMO/admin-token
if [[ ! -s $ADMIN_FILE ]]; then
	(
		umask 077
		printf 'demo-admin-%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$ADMIN_FILE"
	)
	log "new admin token in $ADMIN_FILE"
fi
BULLPEN_ADMIN_TOKEN=$(tr -d '[:space:]' <"$ADMIN_FILE")
export BULLPEN_ADMIN_TOKEN
unset BULLPEN_ADMIN_TOKEN_FILE

# ---------------------------------------------------------------------------
# server and consumer

stop_leftover simulator
stop_leftover server
stop_leftover consumer

log "migrating the database"
if ! "$BIN/server" migrate >"$DEMO/migrate.log" 2>&1; then
	show_tail "$DEMO/migrate.log"
	die "bin/server migrate failed"
fi

start consumer "$CONSUMER_ADDR"
start server "$SERVER_ADDR"
wait_ready consumer "$CONSUMER_ADDR" "$CONSUMER_PID"
wait_ready server "$SERVER_ADDR" "$SERVER_PID"

# ---------------------------------------------------------------------------
# contests

# iso_date [TZ] DATE-EXPRESSION: midnight of the given day, RFC 3339 with the zone's offset.
iso_date() {
	local tz=$1 expr=$2
	TZ=$tz date -d "$expr" +%Y-%m-%dT00:00:00%:z
}

month_start=$(iso_date UTC "$(date -u +%Y-%m-01)")
month_end=$(iso_date UTC "$(date -u +%Y-%m-01) +1 month")
ny_year=$(TZ=America/New_York date +%Y)
ny_year_start=$(iso_date America/New_York "$ny_year-01-01")
ny_year_end=$(iso_date America/New_York "$((ny_year + 1))-01-01")
utc_year=$(date -u +%Y)
utc_year_start=$(iso_date UTC "$utc_year-01-01")
utc_year_end=$(iso_date UTC "$((utc_year + 1))-01-01")

live=$(api "$BULLPEN_ADMIN_TOKEN" GET "/contests?status=live&limit=500")

# ensure_contest NAME BODY: append to ids the id of the live contest NAME, created with BODY if
# there is none.
ensure_contest() {
	local name=$1 body=$2 id created
	id=$(json_id_by_name "$name" <<<"$live")
	if [[ -n $id ]]; then
		log "contest \"$name\" is live ($id)"
	else
		created=$(api "$BULLPEN_ADMIN_TOKEN" POST /contests "$body")
		id=$(json_field id <<<"$created")
		[[ -n $id ]] || die "POST /contests for \"$name\" returned no id: $created"
		log "contest \"$name\" created ($id)"
	fi
	ids+=("$id")
}

names=("This month's revenue" "Team deals this week" "Activity points today")
ids=()
ensure_contest "${names[0]}" "$(
	cat <<EOF
{"name": "${names[0]}", "kind": "leaderboard", "metric": "revenue", "scope": "rep",
 "starts_at": "$month_start", "ends_at": "$month_end", "timezone": "UTC", "period": "none",
 "prizes": [{"rank": 1, "points": 500}, {"rank": 2, "points": 250}, {"rank": 3, "points": 100}]}
EOF
)"
ensure_contest "${names[1]}" "$(
	cat <<EOF
{"name": "${names[1]}", "kind": "leaderboard", "metric": "deals", "scope": "team",
 "starts_at": "$ny_year_start", "ends_at": "$ny_year_end", "timezone": "America/New_York", "period": "week"}
EOF
)"
ensure_contest "${names[2]}" "$(
	cat <<EOF
{"name": "${names[2]}", "kind": "leaderboard", "metric": "points", "scope": "rep",
 "weights": {"deal.won": 10, "call": 1, "meeting": 5, "demo": 8, "email": 0.5, "revenue_per_point": 1000},
 "starts_at": "$utc_year_start", "ends_at": "$utc_year_end", "timezone": "UTC", "period": "day"}
EOF
)"

# ---------------------------------------------------------------------------
# the display token: kept while it still works, so a paired wall stays paired across runs

DISPLAY_FILE=$DEMO/display-token
display=
if [[ -s $DISPLAY_FILE ]]; then
	display=$(tr -d '[:space:]' <"$DISPLAY_FILE")
	if [[ $(http_status "$API/me" "$display") != 200 ]]; then
		log "the saved display token no longer works: minting a new one"
		display=
	fi
fi
if [[ -z $display ]]; then
	display=$(api "$BULLPEN_ADMIN_TOKEN" POST /tokens '{"role": "display", "name": "Demo wall"}' | json_field token)
	[[ -n $display ]] || die "POST /tokens returned no token"
	(
		umask 077
		printf '%s\n' "$display" >"$DISPLAY_FILE"
	)
	log "display token minted"
fi

# ---------------------------------------------------------------------------
# what to open

joined=$(
	IFS=,
	printf '%s' "${ids[*]}"
)
{
	printf '\n'
	printf '  Bullpen demo\n'
	printf '  ------------\n'
	printf '  API             %s\n' "$API"
	printf '  admin token     %s\n' "$BULLPEN_ADMIN_TOKEN"
	printf '  display token   %s\n' "$display"
	printf '\n'
	for i in "${!ids[@]}"; do
		printf '  %-22s %s/contests/%s/leaderboard\n' "${names[$i]}" "$API" "${ids[$i]}"
	done
	printf '\n'
	printf '  wall display    %s/display#token=%s&contests=%s\n' "$BASE" "$display" "$joined"
	printf '\n'
	printf '  try:  curl -s -H "Authorization: Bearer %s" %s/contests/%s/leaderboard\n' "$display" "$API" "${ids[0]}"
	printf '\n'
	printf '  logs: %s/{server,consumer}.log\n' "$DEMO"
	if [[ $DURATION == 0 ]]; then
		printf '  Simulating %s events/s. Ctrl-C stops the demo.\n' "$RATE"
	else
		printf '  Simulating %s events/s for %s.\n' "$RATE" "$DURATION"
	fi
	printf '\n'
} >&2

# ---------------------------------------------------------------------------
# the sales floor, until Ctrl-C (or DEMO_DURATION)

# In the background and waited for, so that a SIGTERM to this script is handled at once
# (bash runs traps only between foreground commands).
"$BIN/simulator" -rate "$RATE" -duration "$DURATION" &
SIM_PID=$!
printf '%s\n' "$SIM_PID" >"$DEMO/simulator.pid"
sim_rc=0
wait "$SIM_PID" || sim_rc=$?
SIM_PID=
((sim_rc == 0)) || die "the simulator failed (exit $sim_rc)"
log "the simulator stopped; giving the consumer 2 s to apply the last events"
sleep 2
