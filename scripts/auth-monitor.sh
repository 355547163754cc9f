#!/usr/bin/env bash
# openclaw-auth-monitor: run `openclaw models status --check --json` and alert when a credential is expired,
# missing or about to expire (SPEC §6.5). Meant for cron or the systemd user timer in scripts/systemd/.
# Run with --help for the options and environment it reads.
set -euo pipefail

readonly PROG="openclaw-auth-monitor"
readonly EXIT_USAGE=64

usage() {
  cat <<'EOF'
Usage: openclaw-auth-monitor [--state <file>] [--agent <id>] [--help]

Runs `openclaw models status --check --json` and alerts when it is not ok:
  exit 0  all credentials ok          -> prints nothing, sends nothing, clears the state file
  exit 1  expired / unknown / missing -> alert, level "expired" (ntfy priority high)
  exit 2  expiring within 24 h        -> alert, level "expiring" (ntfy priority default)
  exit 3  openclaw could not run or gave no report (not found, crashed, unreadable config)
          -> alert, level "error" (ntfy priority high)
  exit 64 bad usage
The monitor exits with the same code, so cron and systemd see it.

Options:
  --state <file>  remember the last alert there; the same alert (same level, same profiles and
                  providers) is not sent again within OPENCLAW_MONITOR_REPEAT_HOURS
  --agent <id>    check that agent instead of the default one
  -h, --help      this text

Environment:
  OPENCLAW_BIN                  the openclaw command, words split on spaces (default: openclaw on PATH),
                                e.g. OPENCLAW_BIN="node /opt/openclaw/dist/openclaw.cjs"
  OPENCLAW_MONITOR_NTFY_URL     POST the alert to this ntfy topic URL (https://ntfy.sh/<topic>)
  OPENCLAW_MONITOR_NTFY_TOKEN   optional ntfy access token (sent as a Bearer header, never on argv)
  OPENCLAW_MONITOR_NOTIFY_CMD   run this with the alert on standard input and the level as $1:
                                a program (run as `<program> <level>`), or a shell command line
                                that may use "$1", e.g. 'mail -s "openclaw auth: $1" me@example.com'
  OPENCLAW_MONITOR_STATE        same as --state
  OPENCLAW_MONITOR_REPEAT_HOURS re-send an unchanged alert after this many hours (default 24)
  OPENCLAW_MONITOR_TIMEOUT      give up on openclaw after this many seconds (default 120)
  OPENCLAW_MONITOR_NODE         node used to read the JSON report (default: node on PATH)
With neither NTFY_URL nor NOTIFY_CMD set, the alert goes to standard error (cron mails it).
Alerts name providers and profile ids with their status and time left, never a secret or a masked value.
EOF
}

die_usage() {
  printf '%s: %s\n' "$PROG" "$1" >&2
  printf 'Run %s --help for usage.\n' "$PROG" >&2
  exit "$EXIT_USAGE"
}

state_file="${OPENCLAW_MONITOR_STATE:-}"
agent=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --state)
      if [ "$#" -lt 2 ] || [ -z "$2" ]; then die_usage "--state needs a file"; fi
      state_file="$2"
      shift 2
      ;;
    --state=*)
      state_file="${1#--state=}"
      [ -n "$state_file" ] || die_usage "--state needs a file"
      shift
      ;;
    --agent)
      if [ "$#" -lt 2 ] || [ -z "$2" ]; then die_usage "--agent needs an agent id"; fi
      agent="$2"
      shift 2
      ;;
    --agent=*)
      agent="${1#--agent=}"
      [ -n "$agent" ] || die_usage "--agent needs an agent id"
      shift
      ;;
    *) die_usage "unknown argument: $1" ;;
  esac
done

# --- settings -------------------------------------------------------------------------------------------------

repeat_hours="${OPENCLAW_MONITOR_REPEAT_HOURS:-24}"
if ! [[ "$repeat_hours" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  printf '%s: OPENCLAW_MONITOR_REPEAT_HOURS must be a number of hours, not "%s"; using 24\n' \
    "$PROG" "$repeat_hours" >&2
  repeat_hours=24
fi
repeat_seconds="$(awk -v h="$repeat_hours" 'BEGIN { printf "%d", h * 3600 }')"

timeout_seconds="${OPENCLAW_MONITOR_TIMEOUT:-120}"
if ! [[ "$timeout_seconds" =~ ^[1-9][0-9]*$ ]]; then
  printf '%s: OPENCLAW_MONITOR_TIMEOUT must be a whole number of seconds, not "%s"; using 120\n' \
    "$PROG" "$timeout_seconds" >&2
  timeout_seconds=120
fi

openclaw_cmd=()
read -r -a openclaw_cmd <<<"${OPENCLAW_BIN:-openclaw}"
[ "${#openclaw_cmd[@]}" -gt 0 ] || openclaw_cmd=(openclaw)

host="$(hostname 2>/dev/null || uname -n 2>/dev/null || echo localhost)"
host="${host%%.*}"

umask 077
tmp_dir="$(mktemp -d "${TMPDIR:-/tmp}/openclaw-auth-monitor.XXXXXX")"
trap 'rm -rf -- "$tmp_dir"' EXIT

# --- helpers --------------------------------------------------------------------------------------------------

# The node that reads the JSON report: OPENCLAW_MONITOR_NODE, node on PATH, or the node of OPENCLAW_BIN.
find_node() {
  if [ -n "${OPENCLAW_MONITOR_NODE:-}" ]; then
    command -v "$OPENCLAW_MONITOR_NODE" 2>/dev/null && return 0
  fi
  command -v node 2>/dev/null && return 0
  case "$(basename -- "${openclaw_cmd[0]}")" in
    node | node[0-9]* | nodejs) command -v "${openclaw_cmd[0]}" 2>/dev/null && return 0 ;;
  esac
  return 1
}

# First line of openclaw's error output, without anything that could be a key: openclaw never prints secrets,
# but an alert leaves the machine, so long opaque runs and sk-… strings are redacted anyway.
error_line() {
  local line=""
  if [ -s "$tmp_dir/stderr" ]; then
    line="$(grep -m 1 -v '^[[:space:]]*$' "$tmp_dir/stderr" || true)"
  fi
  printf '%s' "$line" |
    LC_ALL=C sed -E -e 's/sk-[^[:space:]]*/[redacted]/g' \
      -e 's/[A-Za-z0-9_+=-]{24,}/[redacted]/g' -e 's/[^[:print:]]//g' |
    cut -c 1-300
}

# Builds "<dedup key line>\n<alert details>" from the JSON report; exits non-zero when there is no report.
summarize_report() {
  local node_bin
  node_bin="$(find_node)" || return 1
  local js
  js="$(
    cat <<'JS'
const fs = require("fs")
const [file, code, agentArg] = process.argv.slice(1)
let report
try {
  report = JSON.parse(fs.readFileSync(file, "utf8"))
} catch {
  process.exit(10)
}
const auth = report && typeof report === "object" ? report.auth : undefined
if (!auth || typeof auth !== "object") process.exit(10)
// Names only: printable ASCII, bounded, so nothing odd reaches a notification.
const name = (v) => String(v ?? "?").replace(/[^\x21-\x7e]/g, "?").slice(0, 80)
// As §5.2: Nm under an hour, Nh under 48 hours, else Nd.
const duration = (ms) => {
  const abs = Math.abs(Number(ms) || 0)
  const minutes = abs / 60000
  if (minutes < 60) return `${Math.max(1, Math.round(minutes))}m`
  const hours = abs / 3600000
  return hours < 48 ? `${Math.round(hours)}h` : `${Math.round(hours / 24)}d`
}
const agent = name(report.agentId ?? agentArg ?? "main")
const missing = (Array.isArray(auth.missingProvidersInUse) ? auth.missingProvidersInUse : []).map(name)
const profiles = (auth.oauth && Array.isArray(auth.oauth.profiles) ? auth.oauth.profiles : [])
  .filter((p) => p && typeof p === "object")
const key = []
const lines = []
const fixProviders = new Set()
for (const p of missing) {
  key.push(`missing-provider:${p}`)
  lines.push(`Missing: ${p} is in use but has no credential`)
  fixProviders.add(p)
}
const describe = {
  expired: (p) => `Expired: ${name(p.profileId)} (${name(p.provider)} ${name(p.type)}), expired ${duration(p.remainingMs)} ago`,
  missing: (p) => `Unknown expiry: ${name(p.profileId)} (${name(p.provider)} ${name(p.type)}), treated as expired`,
  expiring: (p) => `Expiring: ${name(p.profileId)} (${name(p.provider)} ${name(p.type)}), expires in ${duration(p.remainingMs)}`
}
for (const status of ["expired", "missing", "expiring"]) {
  for (const p of profiles.filter((q) => q.status === status)) {
    key.push(`${status}:${name(p.profileId)}`)
    lines.push(describe[status](p))
    fixProviders.add(name(p.provider))
  }
}
if (lines.length === 0) {
  lines.push(code === "2" ? "A credential expires within 24 h." : "A credential is expired, of unknown expiry, or missing.")
}
const fix = [...fixProviders]
if (fix.length === 1) lines.push(`Fix: openclaw models auth paste-token --provider ${fix[0]} (or paste-api-key)`)
if (fix.length > 1) lines.push(`Fix: openclaw models auth paste-token --provider <p> (or paste-api-key) for ${fix.join(", ")}`)
const agentFlag = agent === "main" && !agentArg ? "" : ` --agent ${agent}`
lines.push(`Agent ${agent}; details: openclaw models status${agentFlag}`)
process.stdout.write(`${key.join(" ") || "generic"}\n${lines.join("\n")}\n`)
JS
  )"
  "$node_bin" -e "$js" "$tmp_dir/stdout" "$1" "$agent" 2>/dev/null
}

# Sends one alert through every configured channel; 0 when every channel took it.
# $1 level (expired|expiring|error), $2 title, $3 details.
send_alert() {
  local level="$1" title="$2" details="$3" ok=0 sent=0
  local message
  message="$(printf '%s\n%s' "$title" "$details")"

  if [ -n "${OPENCLAW_MONITOR_NTFY_URL:-}" ]; then
    sent=1
    local priority tags
    case "$level" in
      expiring)
        priority=default
        tags=warning
        ;;
      expired)
        priority=high
        tags=rotating_light
        ;;
      *)
        priority=high
        tags=x
        ;;
    esac
    local curl_args=(-fsS --max-time 30 -X POST -o /dev/null
      -H "Title: $title" -H "Priority: $priority" -H "Tags: $tags" --data-binary @-)
    if [ -n "${OPENCLAW_MONITOR_NTFY_TOKEN:-}" ]; then
      # The token goes through a 0600 config file, not the command line (where ps would show it).
      printf 'header = "Authorization: Bearer %s"\n' "$OPENCLAW_MONITOR_NTFY_TOKEN" >"$tmp_dir/curl.conf"
      curl_args+=(-K "$tmp_dir/curl.conf")
    fi
    if ! command -v curl >/dev/null 2>&1; then
      printf '%s: curl not found; cannot post to ntfy\n' "$PROG" >&2
      ok=1
    elif ! printf '%s\n' "$details" | curl "${curl_args[@]}" -- "$OPENCLAW_MONITOR_NTFY_URL"; then
      printf '%s: could not post the alert to ntfy\n' "$PROG" >&2
      ok=1
    fi
  fi

  if [ -n "${OPENCLAW_MONITOR_NOTIFY_CMD:-}" ]; then
    sent=1
    local cmd="$OPENCLAW_MONITOR_NOTIFY_CMD" rc=0
    if [[ "$cmd" != *[[:space:]]* ]] && command -v -- "$cmd" >/dev/null 2>&1; then
      printf '%s\n' "$message" | OPENCLAW_MONITOR_LEVEL="$level" OPENCLAW_MONITOR_TITLE="$title" "$cmd" "$level" || rc=$?
    else
      printf '%s\n' "$message" |
        OPENCLAW_MONITOR_LEVEL="$level" OPENCLAW_MONITOR_TITLE="$title" sh -c "$cmd" "$PROG" "$level" || rc=$?
    fi
    if [ "$rc" -ne 0 ]; then
      printf '%s: the notify command failed (exit %s)\n' "$PROG" "$rc" >&2
      ok=1
    fi
  fi

  # No channel, or a channel failed: standard error, so cron's mail or the journal still has it.
  if [ "$sent" -eq 0 ] || [ "$ok" -ne 0 ]; then
    printf '%s\n' "$message" >&2
  fi
  return "$ok"
}

# 0 when the same alert went out less than repeat_seconds ago (per the state file).
recently_sent() {
  local level="$1" fingerprint="$2" now="$3" when="" was_level="" was_fp=""
  [ -n "$state_file" ] && [ -r "$state_file" ] || return 1
  read -r when was_level was_fp _ <"$state_file" 2>/dev/null || true
  [[ "$when" =~ ^[0-9]+$ ]] || return 1
  [ "$was_level" = "$level" ] && [ "$was_fp" = "$fingerprint" ] || return 1
  [ "$when" -le "$now" ] && [ $((now - when)) -lt "$repeat_seconds" ]
}

remember() {
  [ -n "$state_file" ] || return 0
  local dir
  dir="$(dirname -- "$state_file")"
  mkdir -p -- "$dir" 2>/dev/null || true
  if printf '%s %s %s\n' "$3" "$1" "$2" >"$state_file.tmp.$$" 2>/dev/null &&
    mv -f -- "$state_file.tmp.$$" "$state_file" 2>/dev/null; then
    return 0
  fi
  rm -f -- "$state_file.tmp.$$" 2>/dev/null || true
  printf '%s: could not write the state file %s\n' "$PROG" "$state_file" >&2
}

forget() {
  [ -n "$state_file" ] && [ -e "$state_file" ] || return 0
  rm -f -- "$state_file" 2>/dev/null || true
}

# Alerts unless the same one was sent recently, then exits with $4.
# $1 level, $2 title, $3 "<dedup key line>\n<details>", $4 exit code.
alert_and_exit() {
  local level="$1" title="$2" summary="$3" code="$4"
  local key_line="${summary%%$'\n'*}"
  local details="${summary#*$'\n'}"
  local fingerprint now
  fingerprint="$(printf '%s|%s|%s' "$level" "$agent" "$key_line" | cksum | awk '{ print $1 "-" $2 }')"
  now="$(date +%s)"
  if recently_sent "$level" "$fingerprint" "$now"; then
    exit "$code"
  fi
  if send_alert "$level" "$title" "$details"; then
    remember "$level" "$fingerprint" "$now"
  fi
  exit "$code"
}

# --- the check ------------------------------------------------------------------------------------------------

check_args=(models status --check --json)
[ -z "$agent" ] || check_args+=(--agent "$agent")
where="${host}${agent:+ (agent $agent)}"

if ! command -v -- "${openclaw_cmd[0]}" >/dev/null 2>&1; then
  alert_and_exit error "openclaw auth monitor on $where: openclaw not found" \
    "$(printf 'not-found:%s\n%s\n%s' "${openclaw_cmd[0]}" \
      "Could not run \"${openclaw_cmd[0]}\": not found on PATH." \
      "Fix: install openclaw, or set OPENCLAW_BIN (e.g. OPENCLAW_BIN=\"node /path/to/dist/openclaw.cjs\").")" 3
fi

runner=()
if command -v timeout >/dev/null 2>&1; then
  runner=(timeout "$timeout_seconds")
fi

rc=0
${runner[@]+"${runner[@]}"} "${openclaw_cmd[@]}" "${check_args[@]}" >"$tmp_dir/stdout" 2>"$tmp_dir/stderr" </dev/null || rc=$?

case "$rc" in
  0)
    forget
    exit 0
    ;;
  1 | 2)
    if summary="$(summarize_report "$rc")"; then
      if [ "$rc" -eq 1 ]; then
        alert_and_exit expired "openclaw auth on $where: credentials expired or missing" "$summary" 1
      else
        alert_and_exit expiring "openclaw auth on $where: credentials expiring soon" "$summary" 2
      fi
    fi
    if [ -s "$tmp_dir/stdout" ] && ! find_node >/dev/null; then
      # A report we cannot read without node: alert on the exit code alone.
      if [ "$rc" -eq 1 ]; then
        alert_and_exit expired "openclaw auth on $where: credentials expired or missing" \
          "$(printf 'exit-1\n%s' "A credential is expired, of unknown expiry, or missing. Details: openclaw models status")" 1
      else
        alert_and_exit expiring "openclaw auth on $where: credentials expiring soon" \
          "$(printf 'exit-2\n%s' "A credential expires within 24 h. Details: openclaw models status")" 2
      fi
    fi
    # Exit 1 without a report: openclaw failed (an unreadable store or config, an unknown agent, ...).
    err="$(error_line)"
    alert_and_exit error "openclaw auth monitor on $where: the check failed" \
      "$(printf 'no-report:%s:%s\n%s\n%s' "$rc" "$err" \
        "openclaw models status --check exited $rc without a report${err:+: $err}" \
        "Run: openclaw models status${agent:+ --agent $agent}")" 3
    ;;
  *)
    err="$(error_line)"
    reason="exited with code $rc"
    [ "$rc" -ne 124 ] || [ "${#runner[@]}" -eq 0 ] || reason="timed out after ${timeout_seconds}s"
    [ "$rc" -ne 126 ] || reason="is not executable (exit 126)"
    [ "$rc" -ne 127 ] || reason="was not found (exit 127)"
    [ "$rc" -le 128 ] || [ "$rc" -eq 124 ] || reason="was killed by signal $((rc - 128))"
    alert_and_exit error "openclaw auth monitor on $where: openclaw could not run" \
      "$(printf 'crash:%s:%s\n%s\n%s' "$rc" "$err" \
        "\"${openclaw_cmd[*]} ${check_args[*]}\" $reason${err:+: $err}" \
        "Run it by hand to see why; set OPENCLAW_BIN if the wrong program is used.")" 3
    ;;
esac
