#!/usr/bin/env bash
# Termux:Widget script: shows whether openclaw's model-provider credentials are ok (SPEC §6.5).
# Install on the phone (Termux, Termux:API and Termux:Widget apps; `pkg install openssh termux-api`):
#   mkdir -p ~/.shortcuts && cp openclaw-auth-widget.sh ~/.shortcuts/openclaw-auth && chmod 0755 ~/.shortcuts/openclaw-auth
#   termux-fix-shebang ~/.shortcuts/openclaw-auth
# Settings go in ~/.config/openclaw/widget.env (widgets start without your shell's environment):
#   OPENCLAW_GATEWAY_SSH=me@gateway.example   check on the gateway over ssh (key auth; no password prompt)
#   OPENCLAW_REMOTE_CMD=openclaw               the openclaw command on that host (e.g. ~/.local/bin/openclaw)
#   OPENCLAW_BIN=openclaw                      without OPENCLAW_GATEWAY_SSH: the local openclaw command
#   OPENCLAW_AGENT=work                        optional agent id
# Shows a toast with the status and, when something needs attention, a notification with the profiles and
# providers concerned (ids, statuses and time left only; never a key). Without termux-toast and
# termux-notification it prints the same to standard output. Exit code: that of the check (0 ok, 1 expired or
# missing, 2 expiring), or 3 when the check could not run.
set -euo pipefail

readonly NOTIFICATION_ID="openclaw-auth"

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,15s/^# \{0,1\}//p' "$0"
  exit 0
fi

config="${OPENCLAW_WIDGET_CONFIG:-$HOME/.config/openclaw/widget.env}"
if [ -r "$config" ]; then
  # shellcheck source=/dev/null
  . "$config"
fi

gateway="${OPENCLAW_GATEWAY_SSH:-}"
agent="${OPENCLAW_AGENT:-}"
if [ -n "$agent" ] && ! [[ "$agent" =~ ^[A-Za-z0-9._-]+$ ]]; then
  echo "openclaw-auth-widget: OPENCLAW_AGENT must be a plain agent id" >&2
  exit 3
fi

out="$(mktemp "${TMPDIR:-/tmp}/openclaw-widget.XXXXXX")"
trap 'rm -f -- "$out"' EXIT

rc=0
if [ -n "$gateway" ]; then
  where="$gateway"
  remote="${OPENCLAW_REMOTE_CMD:-openclaw} models status --check${agent:+ --agent $agent}"
  # The command is meant to be expanded here and run by the remote shell.
  # shellcheck disable=SC2029
  ssh -o BatchMode=yes -o ConnectTimeout=15 -- "$gateway" "$remote" >"$out" 2>&1 </dev/null || rc=$?
else
  where="this device"
  read -r -a cmd <<<"${OPENCLAW_BIN:-openclaw}"
  [ "${#cmd[@]}" -gt 0 ] || cmd=(openclaw)
  args=(models status --check)
  [ -z "$agent" ] || args+=(--agent "$agent")
  if command -v -- "${cmd[0]}" >/dev/null 2>&1; then
    "${cmd[@]}" "${args[@]}" >"$out" 2>&1 </dev/null || rc=$?
  else
    rc=127
  fi
fi

# The lines worth showing: missing providers, and profiles that are expired, expiring or of unknown expiry.
# Only the "Missing auth" and "OAuth/token status" sections are read; masked labels live elsewhere.
details="$(
  awk '
    /^Missing auth/ { section = "missing"; next }
    /^OAuth\/token status/ { section = "oauth"; next }
    /^[^ ]/ { section = "" }
    section == "missing" && /^  [^ (]/ { sub(/^ +/, ""); sub(/\. Fix:.*/, ""); print; next }
    section == "oauth" && /^  [^ ]+  / && / (expired|expiring|unknown) / {
      sub(/^ +/, ""); gsub(/  +/, " "); print
    }
  ' "$out" | head -n 8
)"

exit_code="$rc"
case "$rc" in
  0)
    title="openclaw auth OK"
    priority=default
    ;;
  1)
    title="openclaw auth: EXPIRED or missing"
    priority=high
    ;;
  2)
    title="openclaw auth: expiring soon"
    priority=default
    ;;
  255)
    title="openclaw auth: cannot reach $where"
    priority=high
    details="ssh to $where failed"
    exit_code=3
    ;;
  127)
    title="openclaw auth: openclaw not found on $where"
    priority=high
    details="Set OPENCLAW_REMOTE_CMD (over ssh) or OPENCLAW_BIN to the openclaw command"
    exit_code=3
    ;;
  *)
    title="openclaw auth: check failed on $where (exit $rc)"
    priority=high
    details="Run: openclaw models status"
    exit_code=3
    ;;
esac
if [ -z "$details" ] && [ "$rc" -ne 0 ]; then
  details="Run: openclaw models status${agent:+ --agent $agent}"
fi

have() { command -v "$1" >/dev/null 2>&1; }

shown=0
if have termux-toast; then
  termux-toast -s "$title" || true
  shown=1
fi
if have termux-notification; then
  if [ "$rc" -eq 0 ]; then
    if have termux-notification-remove; then termux-notification-remove "$NOTIFICATION_ID" || true; fi
  else
    termux-notification --id "$NOTIFICATION_ID" --title "$title" --content "$details" --priority "$priority" || true
  fi
  shown=1
fi
if [ "$shown" -eq 0 ]; then
  echo "$title"
  [ -z "$details" ] || echo "$details"
fi
exit "$exit_code"
