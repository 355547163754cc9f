/**
 * Service definitions that run the gateway at login: a systemd user unit (Linux) or a launchd agent (macOS).
 * Pure text. They hold no secrets and no environment beyond where the state lives: the gateway reads
 * `<state>/.env`, the config and the stores itself (§8.1).
 */

import * as Either from "effect/Either"
import { firstControlCharacter } from "./ControlCharacters.js"
import { resolveAgainst } from "./Paths.js"

export type ServicePlatform = "linux" | "darwin"

export interface ServiceInput {
  /** Absolute path of the node binary. */
  readonly node: string
  /** Absolute path of `dist/openclaw.cjs`. */
  readonly script: string
  /** After `gateway`: `--port`, `--bind`, `--agent` as given to `install`. */
  readonly args: ReadonlyArray<string>
  readonly stateDir: string
  /**
   * OPENCLAW_HOME / OPENCLAW_STATE_DIR / OPENCLAW_CONFIG_PATH / OPENCLAW_AGENT_DIR when set at install time: where
   * the state is cannot come from the state's own `.env`. Paths only, never keys.
   */
  readonly pathVars: Readonly<Record<string, string>>
}

export const SYSTEMD_UNIT_NAME = "openclaw-gateway.service"
export const LAUNCHD_LABEL = "ai.openclaw.gateway"

const PATH_VARS = ["OPENCLAW_HOME", "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH", "OPENCLAW_AGENT_DIR"] as const

/**
 * The PATH_VARS set (non-blank) in this environment, for `ServiceInput.pathVars`; a relative one made absolute
 * against `cwd`, as this command resolved it: the service starts elsewhere, and must read the same state (§8.1).
 */
export const pathVarsOf = (vars: Readonly<Record<string, string | undefined>>, cwd: string): Record<string, string> =>
  Object.fromEntries(
    PATH_VARS.flatMap((name) => {
      const v = vars[name]?.trim()
      if (!v) return []
      // `~` stays: the gateway expands it with the same user's HOME.
      return [[name, v === "~" || v.startsWith("~/") ? v : resolveAgainst(cwd, v)] as const]
    })
  )

/** systemd.syntax(7) quoting, with `%` specifiers escaped; `$` too where systemd expands variables (ExecStart=). */
const systemdQuoted = (arg: string, dollars: boolean): string => {
  const quoted = arg.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")
  return `"${dollars ? quoted.replace(/\$/g, "$$$$") : quoted}"`
}
const systemdQuote = (arg: string): string => systemdQuoted(arg, true)

/** Environment= expands no variables ("$" has no special meaning there): a doubled one would stay doubled. */
const systemdEnvValue = (name: string, value: string): string => `Environment=${systemdQuoted(`${name}=${value}`, false)}`

export const renderSystemdUnit = (input: ServiceInput): string => {
  const exec = [input.node, input.script, "gateway", ...input.args].map(systemdQuote).join(" ")
  const env = Object.entries(input.pathVars).map(([k, v]) => systemdEnvValue(k, v))
  return [
    "# OpenClaw gateway, as a systemd user service.",
    `#   openclaw gateway install --print > ~/.config/systemd/user/${SYSTEMD_UNIT_NAME}`,
    `#   systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT_NAME.replace(/\.service$/, "")}`,
    "# No secrets here, only where the state lives: the gateway reads <state>/.env, the config and the auth stores itself,",
    "# and re-reads them when they change (or on `systemctl --user reload`).",
    "[Unit]",
    "Description=OpenClaw gateway (model-provider authentication)",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${exec}`,
    "ExecReload=/bin/kill -HUP $MAINPID",
    "Restart=on-failure",
    "RestartSec=5",
    "# In-flight requests finish after SIGTERM (up to 30 s).",
    "TimeoutStopSec=45",
    ...(env.length > 0 ? ["# Where the state lives (set when this unit was made); paths only.", ...env] : []),
    "",
    "[Install]",
    "WantedBy=default.target",
    ""
  ].join("\n")
}

const xml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;")

export const renderLaunchdPlist = (input: ServiceInput): string => {
  const args = [input.node, input.script, "gateway", ...input.args]
  const log = `${input.stateDir}/logs/gateway.log`
  const env = Object.entries(input.pathVars)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    "<!-- OpenClaw gateway, as a launchd agent:",
    `       openclaw gateway install --print > ~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`,
    `       mkdir -p ${xml(`${input.stateDir}/logs`)} && launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`,
    "     No secrets here: the gateway reads <state>/.env, the config and the auth stores itself. -->",
    '<plist version="1.0">',
    "<dict>",
    "  <key>Label</key>",
    `  <string>${LAUNCHD_LABEL}</string>`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...args.map((a) => `    <string>${xml(a)}</string>`),
    "  </array>",
    ...(env.length > 0
      ? [
          "  <key>EnvironmentVariables</key>",
          "  <dict>",
          ...env.flatMap(([k, v]) => [`    <key>${xml(k)}</key>`, `    <string>${xml(v)}</string>`]),
          "  </dict>"
        ]
      : []),
    "  <key>RunAtLoad</key>",
    "  <true/>",
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>SuccessfulExit</key>",
    "    <false/>",
    "  </dict>",
    "  <key>ExitTimeOut</key>",
    "  <integer>45</integer>",
    "  <key>StandardOutPath</key>",
    `  <string>${xml(log)}</string>`,
    "  <key>StandardErrorPath</key>",
    `  <string>${xml(log)}</string>`,
    "</dict>",
    "</plist>",
    ""
  ].join("\n")
}

/** A value that cannot be written into a service definition as it is, and what it is called there. */
export interface UnsafeServiceValue {
  /** E.g. `the state dir`, `OPENCLAW_STATE_DIR`, `the argument after --agent`. */
  readonly what: string
  /** E.g. `a line feed`. */
  readonly character: string
}

/**
 * A control character (a newline above all) in a path or argument would start a new line of the unit — an
 * `ExecStartPre=` of someone's choosing — or break the plist; neither format has a quoting every reader honours
 * for it. So such a value is refused, named, never printed (§11).
 */
export const unsafeServiceValue = (input: ServiceInput): UnsafeServiceValue | undefined => {
  const values: Array<readonly [string, string]> = [
    ["the node binary path", input.node],
    ["the openclaw script path", input.script],
    ["the state dir", input.stateDir],
    ...input.args.map((a, i) => [i > 0 ? `the value of ${input.args[i - 1]}` : "an argument", a] as const),
    ...Object.entries(input.pathVars)
  ]
  for (const [what, value] of values) {
    const found = firstControlCharacter(value)
    if (found) return { what, character: found.name }
  }
  return undefined
}

/** The definition for the platform, or which value could not be written into it safely. */
export const renderService = (platform: ServicePlatform, input: ServiceInput): Either.Either<string, UnsafeServiceValue> => {
  const unsafe = unsafeServiceValue(input)
  if (unsafe) return Either.left(unsafe)
  return Either.right(platform === "linux" ? renderSystemdUnit(input) : renderLaunchdPlist(input))
}
