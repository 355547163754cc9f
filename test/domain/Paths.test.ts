import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { decodeConfig } from "../../src/domain/Config.js"
import { homeIsEmpty, homeProblem, resolveAgentPaths, resolveHostPaths, UnknownAgent, UnsafeAgentId } from "../../src/domain/Paths.js"

const config = (raw: unknown) => Either.getOrThrow(decodeConfig(raw))

describe("host paths (§2)", () => {
  it("defaults to ~/.openclaw from HOME, else the OS home", () => {
    expect(resolveHostPaths({ HOME: "/h" }, "/os", "/cwd")).toEqual({
      home: "/h",
      stateDir: "/h/.openclaw",
      configPath: "/h/.openclaw/openclaw.json",
      stateEnvPath: "/h/.openclaw/.env",
      cwdEnvPath: "/cwd/.env"
    })
    expect(resolveHostPaths({}, "/os", "/cwd").stateDir).toBe("/os/.openclaw")
  })
  it("OPENCLAW_HOME wins over HOME and expands ~ with HOME", () => {
    expect(resolveHostPaths({ HOME: "/h", OPENCLAW_HOME: "~/alt" }, "/os", "/c").stateDir).toBe("/h/alt/.openclaw")
    expect(resolveHostPaths({ HOME: "/h", OPENCLAW_HOME: "/srv/oc" }, "/os", "/c").home).toBe("/srv/oc")
  })
  it("OPENCLAW_STATE_DIR and OPENCLAW_CONFIG_PATH override, relative ones against the cwd", () => {
    const p = resolveHostPaths({ HOME: "/h", OPENCLAW_STATE_DIR: "state", OPENCLAW_CONFIG_PATH: "~/cfg.json5" }, "/os", "/cwd")
    expect(p.stateDir).toBe("/cwd/state")
    expect(p.stateEnvPath).toBe("/cwd/state/.env")
    expect(p.configPath).toBe("/h/cfg.json5")
  })
  it("an empty HOME is an error, not the current directory (§11), unless OPENCLAW_HOME names the home", () => {
    // os.homedir() is "" too when HOME is set but empty.
    expect(homeIsEmpty({ HOME: "" }, "")).toBe(true)
    expect(homeIsEmpty({ HOME: "  " }, "")).toBe(true)
    expect(homeIsEmpty({ HOME: "", OPENCLAW_STATE_DIR: "/srv/oc" }, "")).toBe(true)
    expect(homeIsEmpty({ HOME: "", OPENCLAW_HOME: "~/oc" }, "")).toBe(true)
    expect(homeIsEmpty({ HOME: "", OPENCLAW_HOME: "/srv/oc" }, "")).toBe(false)
    expect(homeIsEmpty({}, "/os")).toBe(false)
    expect(homeIsEmpty({ HOME: "/h" }, "")).toBe(false)
  })
  it("a relative HOME (or OPENCLAW_HOME) is an error too: it would land under the current directory as well", () => {
    expect(homeProblem({ HOME: "~" }, "~")).toEqual({ kind: "relative", variable: "HOME" })
    expect(homeProblem({ HOME: "rel/home" }, "rel/home")).toEqual({ kind: "relative", variable: "HOME" })
    expect(homeProblem({ HOME: "/h", OPENCLAW_HOME: "oc" }, "/h")).toEqual({ kind: "relative", variable: "OPENCLAW_HOME" })
    expect(homeProblem({ HOME: "rel", OPENCLAW_HOME: "/srv/oc" }, "rel")).toBeUndefined()
    expect(homeProblem({ HOME: "/h", OPENCLAW_HOME: "~/oc" }, "/h")).toBeUndefined()
    // Only ~ and ~/ expand: ~user/x would stay relative.
    expect(homeProblem({ HOME: "/h", OPENCLAW_HOME: "~user/x" }, "/h")).toEqual({ kind: "relative", variable: "OPENCLAW_HOME" })
    expect(homeProblem({ HOME: "" }, "")).toEqual({ kind: "empty", variable: "HOME" })
  })
  it("ignores empty variables", () => {
    expect(resolveHostPaths({ HOME: "/h", OPENCLAW_STATE_DIR: " " }, "/os", "/c").stateDir).toBe("/h/.openclaw")
  })
})

describe("agent dir (§2)", () => {
  const host = resolveHostPaths({ HOME: "/h" }, "/os", "/c")
  const cfg = config({ agents: { list: [{ id: "main", default: true }, { id: "work", agentDir: "~/agents/work" }] } })

  it("uses the layout by default", () => {
    expect(resolveAgentPaths(host, config({}), {}, "/c", undefined)).toEqual({
      agentId: "main",
      agentDir: "/h/.openclaw/agents/main/agent",
      storePath: "/h/.openclaw/agents/main/agent/auth-profiles.json",
      isDefault: true
    })
  })
  it("uses agents.list agentDir for --agent, with ~ expanded", () => {
    const p = resolveAgentPaths(host, cfg, {}, "/c", "work")
    expect(p).toMatchObject({ agentId: "work", agentDir: "/h/agents/work", isDefault: false })
  })
  it("OPENCLAW_AGENT_DIR applies to the default agent only, and not when --agent is given", () => {
    const vars = { OPENCLAW_AGENT_DIR: "/override" }
    expect(resolveAgentPaths(host, cfg, vars, "/c", undefined)).toMatchObject({ agentId: "main", agentDir: "/override" })
    expect(resolveAgentPaths(host, cfg, vars, "/c", "work")).toMatchObject({ agentDir: "/h/agents/work" })
    expect(resolveAgentPaths(host, cfg, vars, "/c", "main")).toMatchObject({ agentDir: "/h/.openclaw/agents/main/agent" })
  })
  it("names the configured ids for an unknown agent", () => {
    const p = resolveAgentPaths(host, cfg, {}, "/c", "nope")
    expect(p).toBeInstanceOf(UnknownAgent)
    expect((p as UnknownAgent).known).toEqual(["main", "work"])
  })
  it("takes the default agent from agents.list", () => {
    const c = config({ agents: { list: [{ id: "ops" }, { id: "home", default: true }] } })
    expect(resolveAgentPaths(host, c, {}, "/c", undefined)).toMatchObject({ agentId: "home" })
  })
})

describe("agent dirs from ids a file names (§2, §11)", () => {
  const host = resolveHostPaths({ HOME: "/h" }, "/os", "/cwd")
  const pathsOf = (id: string, extra: Record<string, unknown> = {}) =>
    resolveAgentPaths(host, config({ agents: { list: [{ id, default: true, ...extra }] } }), {}, "/cwd", undefined)

  it("an id that is a directory name is its own directory, as before (case kept)", () => {
    for (const id of ["main", "Work", "ops_team-2", "a.b", "日本", "a".repeat(255)]) {
      expect(pathsOf(id)).toMatchObject({ agentId: id, agentDir: `/h/.openclaw/agents/${id}/agent` })
    }
  })

  it("any other id is refused, never rewritten into another agent's directory or out of <state>/agents", () => {
    for (const id of ["../../../outside", "..", ".", "a/b", "a\\b", "x\u0000y", "x\u202ey", "x\u200fy", "w".repeat(256), "日".repeat(86)]) {
      expect(pathsOf(id)).toBeInstanceOf(UnsafeAgentId)
    }
    // With its own agentDir, the id names nothing on disk.
    expect(pathsOf("../x", { agentDir: "/srv/x" })).toMatchObject({ agentId: "../x", agentDir: "/srv/x" })
  })
})
