#!/usr/bin/env bash
# run.sh — build Basalt, the PocketBase peer and the floor, then benchmark
# them alternately (Basalt, PocketBase, floor per round) on loopback ports
# with fresh data dirs, and write the medians and ratios to bench/RESULTS.md.
#
# Usage: bench/run.sh [--short] [--rounds N] [--duration D] [--scenarios LIST]
#                     [--realtime-k LIST] [--realtime-fast-k LIST]
#                     [--servers basalt,pocketbase,floor]
#                     [--out FILE]
#   --short   2s per scenario, realtime K=100,1000 (a quick check; 3 rounds)
# A server that cannot be built or started gets every scenario reported as
# FAILED with the reason; the other servers still run.
set -u -o pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
BIN="$BENCH/bin"
ROUNDS=3
DURATION=10s
SCENARIOS=all
RTK=100,1000,10000
RTFK=1000
SERVERS=basalt,pocketbase,floor
OUT="$BENCH/RESULTS.md"
ARGS="$*"
while [ $# -gt 0 ]; do
	case "$1" in
	--short) DURATION=2s; RTK=100,1000 ;;
	--rounds) ROUNDS="$2"; shift ;;
	--duration) DURATION="$2"; shift ;;
	--scenarios) SCENARIOS="$2"; shift ;;
	--realtime-k) RTK="$2"; shift ;;
	--realtime-fast-k) RTFK="$2"; shift ;;
	--servers) SERVERS="$2"; shift ;;
	--out) OUT="$2"; shift ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
# Scenarios the floor implements (view, list and create only).
FLOOR_GROUP_SCEN=view,list,list_skiptotal,create
FLOOR_TX_SCEN=create
SU_EMAIL=bench@example.com
SU_PASS=bench-password-123
WORK="$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench.XXXXXX")"
RES="$WORK/results"
mkdir -p "$BIN" "$RES"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"/data-*
}
trap cleanup EXIT
log() { echo "run.sh: $*" >&2; }
has() { case ",$SERVERS," in *",$1,"*) return 0 ;; esac; return 1; }

log "building into $BIN (logs in $WORK)"
(cd "$BENCH" && go build -o "$BIN/loadgen" ./cmd/loadgen && go build -o "$BIN/benchreport" ./cmd/benchreport) || { log "cannot build the loadgen"; exit 1; }
BASALT_ERR=""
if has basalt; then
	(cd "$ROOT" && go build -o bench/bin/basalt .) >"$WORK/build-basalt.log" 2>&1 ||
		BASALT_ERR="Basalt not ready: go build failed ($(head -c 200 "$WORK/build-basalt.log" | tr '\n' ' '))"
fi
PB_ERR=""
if has pocketbase; then
	(cd "$BENCH" && go build -o "$BIN/pbpeer" ./cmd/pbpeer) >"$WORK/build-pbpeer.log" 2>&1 || PB_ERR="pbpeer build failed"
fi
if has floor; then
	(cd "$BENCH" && go build -o "$BIN/floor" ./cmd/floor) || { log "cannot build the floor"; exit 1; }
fi

# wait_healthy URL PID: wait up to 30 s for GET /api/health to answer 200.
wait_healthy() {
	for _ in $(seq 1 300); do
		kill -0 "$2" 2>/dev/null || return 1
		curl -fsS -o /dev/null "$1/api/health" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# loadgen_run LABEL ROUND URL PID SCENARIOS SETUP [FAIL-REASON]
loadgen_run() {
	local label=$1 round=$2 url=$3 pid=$4 scen=$5 setup=$6 fail=${7:-}
	local out="$RES/$label-r$round.json"
	local cmd=("$BIN/loadgen" -label "$label" -url "$url" -scenario "$scen" -duration "$DURATION"
		-realtime-k "$RTK" -realtime-fast-k "$RTFK" -setup "$setup" -su-email "$SU_EMAIL" -su-password "$SU_PASS" -json)
	[ "$pid" -gt 0 ] && cmd+=(-pid "$pid")
	[ -n "$fail" ] && cmd+=(-fail "$fail")
	log "round $round: $label: ${cmd[*]#$BENCH/}"
	"${cmd[@]}" >"$out" 2>>"$WORK/loadgen-$label.log" || log "round $round: $label: loadgen reported failures (see $WORK/loadgen-$label.log)"
}

# bench_pb_like LABEL BINARY ROUND PORT PREERR: Basalt and the peer share the PocketBase CLI.
bench_pb_like() {
	local label=$1 bin=$2 round=$3 port=$4 preerr=$5
	local url="http://127.0.0.1:$port"
	if [ -n "$preerr" ]; then
		loadgen_run "$label" "$round" "$url" 0 "$SCENARIOS" api "$preerr"
		return
	fi
	local dir="$WORK/data-$label-$round"
	mkdir -p "$dir"
	"$bin" superuser upsert "$SU_EMAIL" "$SU_PASS" --dir "$dir" >"$WORK/$label-su.log" 2>&1 ||
		log "round $round: $label: superuser upsert failed (see $WORK/$label-su.log)"
	"$bin" serve --http "127.0.0.1:$port" --dir "$dir" >"$WORK/$label-serve-$round.log" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	if ! wait_healthy "$url" "$pid"; then
		kill "$pid" 2>/dev/null
		loadgen_run "$label" "$round" "$url" 0 "$SCENARIOS" api "$label did not start or answer /api/health (see $label-serve-$round.log)"
		return
	fi
	loadgen_run "$label" "$round" "$url" "$pid" "$SCENARIOS" api
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "$dir"
}

# bench_floor MODE ROUND PORT SCENARIOS
bench_floor() {
	local mode=$1 round=$2 port=$3 scen=$4
	local dir="$WORK/data-floor-$mode-$round" url="http://127.0.0.1:$port"
	"$BIN/floor" -http "127.0.0.1:$port" -dir "$dir" -create "$mode" >"$WORK/floor-$mode-$round.log" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	if ! wait_healthy "$url" "$pid"; then
		loadgen_run "floor-$mode" "$round" "$url" 0 "$scen" skip "floor did not start"
		return
	fi
	loadgen_run "floor-$mode" "$round" "$url" "$pid" "$scen" skip
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "$dir"
}

# The floor only runs the scenarios it implements that were asked for.
floor_scen() {
	[ "$SCENARIOS" = all ] && { echo "$1"; return; }
	local out=""
	for s in ${SCENARIOS//,/ }; do
		case ",$1," in *",$s,"*) out="$out,$s" ;; esac
		case "$s" in create_c*) case ",$1," in *,create,*) out="$out,$s" ;; esac ;; esac
	done
	echo "${out#,}"
}

for round in $(seq 1 "$ROUNDS"); do
	has basalt && bench_pb_like basalt "$BIN/basalt" "$round" 18191 "$BASALT_ERR"
	has pocketbase && bench_pb_like pocketbase "$BIN/pbpeer" "$round" 18192 "$PB_ERR"
	if has floor; then
		s=$(floor_scen "$FLOOR_GROUP_SCEN")
		[ -n "$s" ] && bench_floor group "$round" 18193 "$s"
		s=$(floor_scen "$FLOOR_TX_SCEN")
		[ -n "$s" ] && bench_floor tx "$round" 18194 "$s"
	fi
done

NOTES=()
[ -n "$BASALT_ERR" ] && NOTES+=(-note "$BASALT_ERR")
if has basalt && [ -z "$BASALT_ERR" ]; then
	REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	DIRTY=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -v ' bench/' | head -1)
	NOTES+=(-note "Basalt built from commit $REV${DIRTY:+ plus uncommitted changes in the working tree}")
fi
"$BIN/benchreport" -o "$OUT" -rounds "$ROUNDS" -duration "$DURATION" \
	-command "bench/run.sh $ARGS" \
	-command "per server and round: bench/bin/loadgen -label NAME -url http://127.0.0.1:PORT -scenario $SCENARIOS -duration $DURATION -realtime-k $RTK -realtime-fast-k $RTFK -setup api|skip -pid PID -json" \
	"${NOTES[@]}" "$RES"/*.json
log "wrote $OUT (raw JSON kept in $RES)"
