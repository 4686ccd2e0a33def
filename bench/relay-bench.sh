#!/usr/bin/env bash
# Relay throughput benchmark: Postfix's smtp-source drives a relay that forwards to Postfix's smtp-sink.
# Relays measured in the same run: none (baseline: source straight into sink), a private durable Postfix
# instance, and Mamori. See bench/README.md for what each figure means.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3
TOOL="$HERE/benchtool.py"
SBIN=/usr/sbin

usage() {
  cat <<EOF
Usage: bench/relay-bench.sh [options]

  --messages N        messages per measured run (default 5000)
  --size BYTES        message payload size, smtp-source -l (default 20480)
  --sessions S        concurrent SMTP sessions, smtp-source -s (default 10)
  --warmup W          messages sent through each relay before measuring (0 = none), or 'settled' (default):
                      Mamori is warmed up in rounds of 5000 until its JIT compiler threads used under 5 %
                      of its CPU in a round (at most 20 rounds); Postfix (no JIT) gets one round of 5000.
                      The first round after Mamori's start is also reported, as the row 'mamori-cold'
  --only STAGE        run one stage only: baseline | postfix | mamori
  --large             instead of the throughput run: 10 concurrent 50 MB messages through Mamori
                      with -Xmx256m; reports PASS/FAIL and the java process's peak RSS
  --jar PATH          Mamori jar (default app/target/mamori.jar; built with ./mvnw if missing)
  --no-build          do not build the jar when it is missing
  --policy FILE       policy.yaml for Mamori (default: config/policy.example.yaml with bench.example internal)
  --java-opt OPT      extra JVM option for Mamori (repeatable)
  --mamori-opt OPT    extra Mamori option, e.g. --mamori-opt=--mamori.smtp.max-message-size=60MB (repeatable)
  --start-timeout S   seconds to wait for Mamori's SMTP greeting (default 180)
  --timeout S         seconds a measured run may take before it counts as failed (default 600)
  --profile DIR       Mamori only: over the measured window (after the warm-up), write the CPU of each group
                      of Java threads into DIR/threads.txt
  --jfr               with --profile, also record Mamori with JFR from its start (sampling the whole run does
                      not make the JVM recompile, as starting JFR later would) and save it as DIR/mamori.jfr with
                      the measured window in DIR/window.txt; 'benchtool.py jfr-top DIR' shows the hot methods
                      of that window
  --keep              keep the work directory (configs, logs, queues) after the run
  -h, --help          this text

Needs root (Postfix's master and smtp-sink start as root and drop to the postfix user).
Installs Debian's postfix if smtp-source, smtp-sink or postfix are missing. Loopback only.
The last line is 'RATIO mamori/postfix = X.XX' (or n/a); with --large it is 'LARGE ... PASS|FAIL'.
EOF
}

MESSAGES=5000 SIZE=20480 SESSIONS=10 WARMUP=settled ONLY=all LARGE=0 BUILD=1 KEEP=0
JAR="$ROOT/app/target/mamori.jar" POLICY="" START_TIMEOUT=180 TIMEOUT=600
JAVA_EXTRA=() MAMORI_EXTRA=() PROFILE="" JFR=0
while [[ $# -gt 0 ]]; do
  arg=$1
  case "$arg" in
    --*=*) set -- "${arg%%=*}" "${arg#*=}" "${@:2}"; continue ;;
  esac
  case "$arg" in
    --messages) MESSAGES=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --sessions) SESSIONS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --large) LARGE=1; shift ;;
    --jar) JAR=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --policy) POLICY=$2; shift 2 ;;
    --java-opt) JAVA_EXTRA+=("$2"); shift 2 ;;
    --mamori-opt) MAMORI_EXTRA+=("$2"); shift 2 ;;
    --start-timeout) START_TIMEOUT=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --profile) PROFILE=$2; shift 2 ;;
    --jfr) JFR=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "relay-bench: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $WARMUP != settled ]] || WARMUP_SETTLED=1
[[ ${WARMUP_SETTLED:-0} == 0 ]] || WARMUP=5000
for v in MESSAGES SIZE SESSIONS WARMUP START_TIMEOUT TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "relay-bench: $v must be a non-negative integer, got '${!v}'" >&2; exit 2; }
done
[[ $MESSAGES -gt 0 && $SESSIONS -gt 0 ]] || { echo "relay-bench: --messages and --sessions must be > 0" >&2; exit 2; }
case "$ONLY" in all|baseline|postfix|mamori) ;; *) echo "relay-bench: --only takes baseline|postfix|mamori" >&2; exit 2 ;; esac
[[ -z $POLICY || -f $POLICY ]] || { echo "relay-bench: policy file not found: $POLICY" >&2; exit 2; }
[[ $EUID -eq 0 ]] || { echo "relay-bench: run as root (Postfix's master and smtp-sink need it)" >&2; exit 2; }

log() { printf '[relay-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------------------------------
# 1. What we need: Debian's postfix (smtp-source, smtp-sink, postfix). Never configures /etc/postfix.
ensure_postfix() {
  if [[ -x $SBIN/smtp-source && -x $SBIN/smtp-sink && -x $SBIN/postfix ]] && id postfix >/dev/null 2>&1; then
    return
  fi
  log "installing Debian package postfix (no configuration)"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postfix >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q postfix >/dev/null
  fi
  [[ -x $SBIN/smtp-source && -x $SBIN/smtp-sink ]] || { echo "relay-bench: postfix installed but smtp-source/smtp-sink missing" >&2; exit 1; }
}
ensure_postfix

WORK=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/relay-bench.XXXXXX")
chmod 755 "$WORK"
FAILED=0
SINK_PIDS=()
PF_CONF="" MAMORI_PID=""

cleanup() {
  local rc=$?
  set +e
  if [[ -n $MAMORI_PID ]] && kill -0 "$MAMORI_PID" 2>/dev/null; then stop_java "$MAMORI_PID"; fi
  if [[ -n $PF_CONF ]]; then stop_postfix; fi
  for p in "${SINK_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [[ -n ${DNS_PID:-} ]]; then kill "$DNS_PID" 2>/dev/null; wait "$DNS_PID" 2>/dev/null; fi
  if [[ $KEEP = 1 || $FAILED = 1 || $rc != 0 ]]; then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fs_type=$(stat -f -c %T "$WORK")
[[ $fs_type != tmpfs ]] || log "WARNING: $WORK is on tmpfs; fsync is free there, so durable relays look faster than on disk"

start_sink() { # name -> sets SINK_PORT SINK_OUT
  local name=$1
  SINK_PORT=$("$PY" "$TOOL" free-port)
  SINK_OUT="$WORK/$name-sink.out"
  "$SBIN/smtp-sink" -c -u postfix "127.0.0.1:$SINK_PORT" 1000 >"$SINK_OUT" 2>&1 &
  SINK_PIDS+=($!)
  "$PY" "$TOOL" wait-smtp "$SINK_PORT" 10 $! >/dev/null || { echo "relay-bench: smtp-sink did not start" >&2; exit 1; }
}

source_cmd() { # port count size sessions -> SOURCE_CMD
  SOURCE_CMD=("$SBIN/smtp-source" -s "$4" -m "$2" -l "$3" -f bench-sender@source.example
    -t rcpt@bench.example -M bench-client.example "127.0.0.1:$1")
}

# Results, one row per stage: name msgs size sessions wall_s msgs_per_s cpu_ms_per_msg sink_count status
ROWS=()
declare -A RATE

drive() { # stage target-count relay_pid smtp-source-command... ; sets R_* from benchtool.py drive
  local stage=$1 target=$2 pid=$3 out
  shift 3
  R_ok=0 R_why="benchtool drive failed" R_sink_count=0 R_wall_s=0 R_cpu_ms="" R_peak_rss_kb=""
  out=$("$PY" "$TOOL" drive --sink-out "$SINK_OUT" --target "$target" --relay-pid "$pid" \
    --timeout "$TIMEOUT" --source-log "$WORK/$stage-source.log" -- "$@") || true
  eval "$out"
}

measure() { # stage relay_port relay_pid(0 = none)
  local stage=$1 port=$2 pid=$3 sessions
  local warm=0 round=0 rounds=1 jit=""
  [[ ${WARMUP_SETTLED:-0} == 1 && $stage == mamori && $pid != 0 ]] && rounds=20
  while [[ $WARMUP -gt 0 && $round -lt $rounds ]]; do
    round=$(( round + 1 ))
    sessions=$(( SESSIONS < WARMUP ? SESSIONS : WARMUP ))
    log "$stage: warm-up${jit:+ round $round}, $WARMUP messages"
    [[ $rounds -gt 1 ]] && "$PY" "$TOOL" thread-cpu "$pid" >"$WORK/warm-before.tsv"
    source_cmd "$port" "$WARMUP" "$SIZE" "$sessions"
    warm=$(( warm + WARMUP ))
    drive "$stage" "$warm" "$pid" "${SOURCE_CMD[@]}"
    if [[ $R_ok != 1 ]]; then
      ROWS+=("$stage $MESSAGES $SIZE $SESSIONS - - - $R_sink_count warm-up-failed:${R_why// /_}")
      FAILED=1
      return 1
    fi
    if [[ $rounds -gt 1 && $round == 1 ]]; then
      # The first round after a start is the cold figure (JIT still compiling): reported beside the steady one.
      local cold_rate cold_cpu=-
      cold_rate=$(awk -v n="$WARMUP" -v t="$R_wall_s" 'BEGIN { printf "%.1f", n / t }')
      [[ -z $R_cpu_ms ]] || cold_cpu=$(awk -v c="$R_cpu_ms" -v n="$WARMUP" 'BEGIN { printf "%.2f", c / n }')
      ROWS+=("$stage-cold $WARMUP $SIZE $sessions $(printf %.3f "$R_wall_s") $cold_rate $cold_cpu $WARMUP ok")
    fi
    if [[ $rounds -gt 1 ]]; then
      "$PY" "$TOOL" thread-cpu "$pid" >"$WORK/warm-after.tsv"
      jit=$("$PY" "$TOOL" jit-share "$WORK/warm-before.tsv" "$WORK/warm-after.tsv")
      log "$stage: JIT compiler threads used ${jit} % of the CPU in warm-up round $round"
      awk -v j="$jit" 'BEGIN { exit !(j < 5) }' && break
    fi
  done
  [[ -z $jit ]] || WARM_NOTE="$stage warmed up with $warm messages (JIT share of the last round: $jit %)"
  log "$stage: measuring, $MESSAGES messages of $SIZE bytes over $SESSIONS sessions"
  local profiling=0
  if [[ -n $PROFILE && $stage == mamori && $pid != 0 ]]; then
    profiling=1
    mkdir -p "$PROFILE"
    "$PY" "$TOOL" thread-cpu "$pid" >"$WORK/threads-before.tsv"
    date +%s.%N >"$PROFILE/window.txt"
  fi
  source_cmd "$port" "$MESSAGES" "$SIZE" "$SESSIONS"
  drive "$stage" $(( warm + MESSAGES )) "$pid" "${SOURCE_CMD[@]}"
  if [[ $profiling == 1 ]]; then
    date +%s.%N >>"$PROFILE/window.txt"
    if [[ $JFR == 1 ]]; then
      jcmd "$pid" JFR.dump name=bench filename="$(cd "$PROFILE" && pwd)/mamori.jfr" >/dev/null || true
    fi
    "$PY" "$TOOL" thread-cpu "$pid" >"$WORK/threads-after.tsv"
    "$PY" "$TOOL" thread-cpu-diff "$WORK/threads-before.tsv" "$WORK/threads-after.tsv" $(( R_sink_count - warm )) \
      | tee "$PROFILE/threads.txt" >&2
  fi
  local delivered=$(( R_sink_count - warm ))
  [[ -z ${WARM_NOTE:-} ]] || log "$WARM_NOTE"
  local rate cpu status=ok
  rate=$(awk -v n="$delivered" -v t="$R_wall_s" 'BEGIN { printf "%.1f", n / t }')
  if [[ -n $R_cpu_ms ]]; then
    cpu=$(awk -v c="$R_cpu_ms" -v n="$delivered" 'BEGIN { if (n > 0) printf "%.2f", c / n; else print "-" }')
  else
    cpu=-
  fi
  if [[ $R_ok != 1 ]]; then status="FAILED:${R_why// /_}"; FAILED=1; else RATE[$stage]=$rate; fi
  ROWS+=("$stage $MESSAGES $SIZE $SESSIONS $(printf %.3f "$R_wall_s") $rate $cpu $delivered $status")
  LAST_PEAK_RSS_KB=$R_peak_rss_kb
  [[ $R_ok == 1 ]]
}

# ---------------------------------------------------------------------------------------------------
# 2a. Baseline: smtp-source straight into smtp-sink.
stage_baseline() {
  start_sink baseline
  measure baseline "$SINK_PORT" 0 || true
}

# 2b. Postfix as a plain durable relay: a private instance with its own config and queue under $WORK.
stop_postfix() {
  local pid
  pid=$(tr -d ' ' <"$WORK/postfix/queue/pid/master.pid" 2>/dev/null || true)
  "$SBIN/postfix" -c "$PF_CONF" stop >/dev/null 2>&1
  for _ in $(seq 1 100); do
    if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  PF_CONF=""
}

stage_postfix() {
  start_sink postfix
  local dir="$WORK/postfix" port
  port=$("$PY" "$TOOL" free-port)
  mkdir -p "$dir/conf" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  cat >"$dir/conf/main.cf" <<EOF
# Private benchmark instance; nothing here touches /etc/postfix.
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.bench.test
mydomain = bench.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
relay_domains = bench.example
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relayhost = [127.0.0.1]:$SINK_PORT
smtp_host_lookup = native
disable_dns_lookups = yes
smtpd_peername_lookup = no
biff = no
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
EOF
  cat >"$dir/conf/master.cf" <<EOF
# service type private unpriv chroot wakeup maxproc command
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
  PF_CONF="$dir/conf"
  if ! "$SBIN/postfix" -c "$PF_CONF" start >"$dir/start.log" 2>&1; then
    ROWS+=("postfix $MESSAGES $SIZE $SESSIONS - - - - FAILED:postfix_did_not_start_(see_$dir/maillog)")
    FAILED=1
    return
  fi
  local master
  master=$(tr -d ' ' <"$dir/queue/pid/master.pid")
  if ! "$PY" "$TOOL" wait-smtp "$port" 30 "$master" >/dev/null; then
    ROWS+=("postfix $MESSAGES $SIZE $SESSIONS - - - - FAILED:no_greeting_(see_$dir/maillog)")
    FAILED=1
    return
  fi
  measure postfix "$port" "$master" || true
  local sent
  sent=$(grep -c 'status=sent' "$dir/maillog" || true)
  log "postfix: maillog records $sent deliveries with status=sent; queue files left: $(find "$dir/queue/active" "$dir/queue/incoming" "$dir/queue/deferred" -type f | wc -l)"
  stop_postfix
}

# 2c. Mamori as the relay.
stop_java() {
  local pid=$1
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

MAMORI_NA=""
mamori_na() { MAMORI_NA=$1; echo "mamori: not available ($1)"; }

ensure_jar() {
  [[ -f $JAR ]] && return 0
  if [[ $BUILD = 0 ]]; then mamori_na "no jar at $JAR and --no-build given"; return 1; fi
  log "building $JAR (log: $WORK/build.log)"
  if ! (cd "$ROOT" && { ./mvnw -q -B -o -DskipTests package || ./mvnw -q -B -DskipTests package; }) >"$WORK/build.log" 2>&1; then
    FAILED=1
    mamori_na "build failed, see $WORK/build.log"
    return 1
  fi
  [[ -f $JAR ]] || { mamori_na "build produced no $JAR"; return 1; }
}

jar_info() { # a jar left over from an older build would be measured silently otherwise
  log "using $JAR, built $(date -r "$JAR" '+%Y-%m-%d %H:%M:%S')"
}

start_mamori() { # heap-options... ; sets MAMORI_PORT MAMORI_PID
  command -v java >/dev/null || { mamori_na "java not installed"; return 1; }
  ensure_jar || return 1
  jar_info
  local dir="$WORK/mamori"
  mkdir -p "$dir"
  local policy="$dir/policy.yaml"
  if [[ -n $POLICY ]]; then
    cp "$POLICY" "$policy"
  else
    # The shipped example policy (all analyzers and thresholds as a customer gets them), for the bench domain.
    sed -e 's/- example\.co\.jp$/- bench.example/' "$ROOT/config/policy.example.yaml" >"$policy"
  fi
  MAMORI_PORT=$("$PY" "$TOOL" free-port)
  # Sender authentication looks up SPF/DMARC records: a local responder answers them (NXDOMAIN for every
  # name), so the whole analysis path runs and no query leaves loopback.
  local dns_port
  dns_port=$("$PY" "$TOOL" free-port)
  "$PY" "$ROOT/bench/nxdns.py" "$dns_port" >"$dir/nxdns.log" 2>&1 &
  DNS_PID=$!
  local out_port http_port
  out_port=$("$PY" "$TOOL" free-port)
  http_port=$("$PY" "$TOOL" free-port)
  local jfr=()
  [[ $JFR == 1 && -n $PROFILE ]] && jfr=(-XX:StartFlightRecording=name=bench,settings=profile)
  local cmd=(java "$@" "${JAVA_EXTRA[@]}" "${jfr[@]}" -jar "$JAR" start
    "--mamori.data-dir=$dir/data" "--mamori.smtp.inbound.port=$MAMORI_PORT"
    "--mamori.smtp.outbound.port=$out_port" "--server.port=$http_port"
    "--mamori.relay.inbound.next-hop=127.0.0.1:$SINK_PORT" "--mamori.relay.inbound.tls=opportunistic"
    "--mamori.policy.file=$policy"
    "--mamori.dns.server=127.0.0.1:$dns_port"
    "${MAMORI_EXTRA[@]}")
  echo "${cmd[*]}" >"$dir/command"
  log "starting Mamori: ${cmd[*]}"
  (cd "$dir" && exec "${cmd[@]}") >"$dir/mamori.log" 2>&1 &
  MAMORI_PID=$!
  local why
  if ! why=$("$PY" "$TOOL" wait-smtp "$MAMORI_PORT" "$START_TIMEOUT" "$MAMORI_PID"); then
    local last
    # the most telling line: the last error or exception message, else the last line
    last=$(grep -E 'ERROR|Exception|Error:|APPLICATION FAILED' "$dir/mamori.log" | grep -v '^\s*at ' | tail -1 | cut -c1-200)
    [[ -n $last ]] || last=$(grep -v '^\s*$' "$dir/mamori.log" | tail -1 | cut -c1-200)
    FAILED=1
    stop_java "$MAMORI_PID"
    MAMORI_PID=""
    mamori_na "$why; last log line: ${last:-<empty>}; log: $dir/mamori.log"
    return 1
  fi
}

stage_mamori() {
  start_sink mamori
  start_mamori -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC || return 0
  measure mamori "$MAMORI_PORT" "$MAMORI_PID" || true
  stop_java "$MAMORI_PID"
  MAMORI_PID=""
}

java_version() {
  command -v java >/dev/null || { echo none; return; }
  java -version 2>&1 | head -1 | sed -E 's/.*version "([^"]*)".*/\1/'
}

print_header() {
  echo "relay-bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -r), work dir on $fs_type"
  echo "postfix $("$SBIN/postconf" -d -h mail_version 2>/dev/null)," \
    "java $(java_version)"
}

print_table() {
  printf '%-13s %8s %9s %8s %9s %10s %14s %10s  %s\n' \
    stage messages size sessions wall_s msgs_per_s cpu_ms_per_msg sink_count status
  local row
  for row in "${ROWS[@]}"; do
    # shellcheck disable=SC2086
    printf '%-13s %8s %9s %8s %9s %10s %14s %10s  %s\n' $row
  done
}

# ---------------------------------------------------------------------------------------------------
if [[ $LARGE = 1 ]]; then
  LARGE_SIZE=$((50 * 1024 * 1024)) LARGE_N=10
  MESSAGES=$LARGE_N SIZE=$LARGE_SIZE SESSIONS=$LARGE_N WARMUP=0
  print_header
  start_sink mamori-large
  verdict="FAIL"
  detail=""
  if start_mamori -Xmx256m; then
    LAST_PEAK_RSS_KB=""
    if measure mamori-large "$MAMORI_PORT" "$MAMORI_PID"; then verdict=PASS; fi
    detail="peak RSS $(awk -v k="${LAST_PEAK_RSS_KB:-0}" 'BEGIN { printf "%.0f", k / 1024 }') MB"
    stop_java "$MAMORI_PID"
    MAMORI_PID=""
  else
    detail="mamori not available: $MAMORI_NA"
  fi
  print_table
  echo "LARGE mamori ${LARGE_N}x50MB concurrent, -Xmx256m: $verdict ($detail)"
  [[ $verdict == PASS ]]
  exit
fi

print_header
[[ $ONLY == all || $ONLY == baseline ]] && stage_baseline
[[ $ONLY == all || $ONLY == postfix ]] && stage_postfix
[[ $ONLY == all || $ONLY == mamori ]] && stage_mamori
print_table
[[ -z ${WARM_NOTE:-} ]] || echo "$WARM_NOTE"
if [[ -n ${RATE[mamori]:-} && -n ${RATE[postfix]:-} ]]; then
  echo "RATIO mamori/postfix = $(awk -v m="${RATE[mamori]}" -v p="${RATE[postfix]}" 'BEGIN { printf "%.2f", m / p }')"
else
  echo "RATIO mamori/postfix = n/a"
fi
# a stage that ran and failed fails the script; a Mamori that is not available yet does not
for row in "${ROWS[@]}"; do [[ $row == *" ok" ]] || exit 1; done
