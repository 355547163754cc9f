import { type OpenClawConfig, configuredAgentIds, defaultAgentId } from "./Config.js"
import { CONTROL } from "./Untrusted.js"

/** Host locations that do not depend on the config (§2). */
export interface HostPaths {
  readonly home: string
  readonly stateDir: string
  readonly configPath: string
  /** `<state>/.env`, the daemon's env file. */
  readonly stateEnvPath: string
  /** `./.env` in the working directory. */
  readonly cwdEnvPath: string
}

export interface AgentPaths {
  readonly agentId: string
  readonly agentDir: string
  readonly storePath: string
  readonly isDefault: boolean
}

type Vars = Readonly<Record<string, string | undefined>>

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === "" ? undefined : v)

const join = (...parts: ReadonlyArray<string>): string => parts.join("/").replace(/\/{2,}/g, "/")

/** `p` as an absolute path: relative ones against `cwd`. */
export const resolveAgainst = (cwd: string, p: string): string => (p.startsWith("/") ? p : join(cwd, p))

/** `~` and `~/x` expand with the resolved home. */
const expandHome = (p: string, home: string): string =>
  p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p

/**
 * `HOME=` (set, but empty) with nothing else naming the home: resolving would put the state dir in the current
 * directory (a checkout, say), so it is an error instead (§11). Also when OPENCLAW_HOME starts with `~`.
 */
export const homeIsEmpty = (vars: Vars, osHome: string): boolean => homeProblem(vars, osHome)?.kind === "empty"

/**
 * Why the home cannot hold the state dir, if it cannot: empty (above), or relative — `HOME=~` or `HOME=rel/home`
 * would put it under the current directory just the same, whichever repository that is. `variable` names the one to fix.
 */
export const homeProblem = (vars: Vars, osHome: string): { readonly kind: "empty" | "relative"; readonly variable: string } | undefined => {
  const rawHome = nonEmpty(vars.OPENCLAW_HOME)
  // Only `~` and `~/…` expand (expandHome): `~user/x` would stay relative.
  if (rawHome !== undefined && rawHome !== "~" && !rawHome.startsWith("~/")) return rawHome.startsWith("/") ? undefined : { kind: "relative", variable: "OPENCLAW_HOME" }
  const envHome = nonEmpty(vars.HOME) ?? nonEmpty(osHome)
  if (envHome === undefined) return { kind: "empty", variable: "HOME" }
  return envHome.startsWith("/") ? undefined : { kind: "relative", variable: "HOME" }
}

/** The variables that name where openclaw keeps its files. */
const PATH_VARIABLES = ["OPENCLAW_HOME", "HOME", "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH", "OPENCLAW_AGENT_DIR"] as const

/**
 * The first of them that holds a control character (a trailing newline from a file read into it, say): used as it
 * is, it names another directory than the one meant, and a first write would silently create that one (§11).
 */
export const controlInPathVariable = (vars: Vars): string | undefined => PATH_VARIABLES.find((name) => vars[name] !== undefined && CONTROL.test(vars[name]!))

export const resolveHostPaths = (vars: Vars, osHome: string, cwd: string): HostPaths => {
  const rawHome = nonEmpty(vars.OPENCLAW_HOME)
  const envHome = nonEmpty(vars.HOME) ?? osHome
  const home = resolveAgainst(cwd, rawHome ? expandHome(rawHome, envHome) : envHome)
  const stateOverride = nonEmpty(vars.OPENCLAW_STATE_DIR)
  const stateDir = stateOverride ? resolveAgainst(cwd, expandHome(stateOverride, home)) : join(home, ".openclaw")
  const configOverride = nonEmpty(vars.OPENCLAW_CONFIG_PATH)
  return {
    home,
    stateDir,
    configPath: configOverride ? resolveAgainst(cwd, expandHome(configOverride, home)) : join(stateDir, "openclaw.json"),
    stateEnvPath: join(stateDir, ".env"),
    cwdEnvPath: join(cwd, ".env")
  }
}

export class UnknownAgent {
  readonly _tag = "UnknownAgent"
  constructor(readonly agentId: string, readonly known: ReadonlyArray<string>) {}
}

/**
 * An id that is one directory name and nothing more: no separator, not `.` or `..`, no control or direction
 * character (Untrusted's CONTROL), at most 255 bytes as a file name. Every id that worked before keeps its
 * directory (`Work`, `a.b`, `日本`).
 */
const isDirectoryName = (id: string): boolean =>
  id !== "" && id !== "." && id !== ".." && !/[/\\]/.test(id) && !CONTROL.test(id) && new TextEncoder().encode(id).length <= 255

/**
 * An agent id that cannot be a directory name under `<state>/agents/` (`../../outside`, `a/b`, a NUL), for an agent
 * without its own agentDir. Refused rather than rewritten: a rewrite could land in another agent's directory
 * (OpenClaw's normalizeAgentId makes `日本` `main`), and two agents sharing a store is worse than an error (§11).
 */
export class UnsafeAgentId {
  readonly _tag = "UnsafeAgentId"
  constructor(readonly agentId: string) {}
}

/** `--agent`, else `OPENCLAW_AGENT_DIR` for the default agent, else `agents.list[].agentDir`, else the layout. */
export const resolveAgentPaths = (
  host: HostPaths,
  config: OpenClawConfig,
  vars: Vars,
  cwd: string,
  requested: string | undefined
): AgentPaths | UnknownAgent | UnsafeAgentId => {
  const defaultId = defaultAgentId(config)
  const agentId = requested?.trim() || defaultId
  const known = configuredAgentIds(config)
  if (!known.includes(agentId)) return new UnknownAgent(agentId, known)
  const isDefault = agentId === defaultId
  // First match wins (§2): an explicit --agent names that agent's own dir, never OPENCLAW_AGENT_DIR.
  const envDir = requested === undefined && isDefault ? nonEmpty(vars.OPENCLAW_AGENT_DIR) : undefined
  const configured = config.agents?.list?.find((a) => a.id === agentId)?.agentDir
  if (!envDir && !configured && !isDirectoryName(agentId)) return new UnsafeAgentId(agentId)
  const agentDir = envDir
    ? resolveAgainst(cwd, expandHome(envDir, host.home))
    : configured
      ? resolveAgainst(cwd, expandHome(configured, host.home))
      : join(host.stateDir, "agents", agentId, "agent")
  return { agentId, agentDir, storePath: join(agentDir, "auth-profiles.json"), isDefault }
}
