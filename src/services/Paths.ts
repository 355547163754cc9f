import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { OpenClawConfig } from "../domain/Config.js"
import { UnknownAgentError } from "../domain/Errors.js"
import { type AgentPaths, type HostPaths, resolveAgentPaths, resolveHostPaths, UnknownAgent } from "../domain/Paths.js"
import { HostProcess } from "./HostProcess.js"

export interface PathsShape extends HostPaths {
  /** The agent's dir and store (§2); an unknown `--agent` names the configured ids. */
  readonly agent: (config: OpenClawConfig, requested: string | undefined) => Effect.Effect<AgentPaths, UnknownAgentError>
}

export class Paths extends Context.Tag("openclaw/Paths")<Paths, PathsShape>() {
  static readonly layer = Layer.effect(
    Paths,
    Effect.map(HostProcess, (host) => {
      const hostPaths = resolveHostPaths(host.vars, host.osHome, host.cwd)
      return {
        ...hostPaths,
        agent: (config, requested) => {
          const resolved = resolveAgentPaths(hostPaths, config, host.vars, host.cwd, requested)
          return resolved instanceof UnknownAgent
            ? Effect.fail(
                new UnknownAgentError({ agentId: resolved.agentId, known: resolved.known, configPath: hostPaths.configPath })
              )
            : Effect.succeed(resolved)
        }
      }
    })
  )
}
