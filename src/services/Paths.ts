import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { OpenClawConfig } from "../domain/Config.js"
import { UnknownAgentError, UsageError } from "../domain/Errors.js"
import { type AgentPaths, controlInPathVariable, homeProblem, type HostPaths, resolveAgentPaths, resolveHostPaths, UnknownAgent, UnsafeAgentId } from "../domain/Paths.js"
import { HostProcess } from "./HostProcess.js"
import { serviceLayer } from "./LayerInOrder.js"

export interface PathsShape extends HostPaths {
  /** The agent's dir and store (§2); an unknown `--agent` names the configured ids. */
  readonly agent: (config: OpenClawConfig, requested: string | undefined) => Effect.Effect<AgentPaths, UnknownAgentError | UsageError>
}

export class Paths extends Context.Tag("openclaw/Paths")<Paths, PathsShape>() {
  static readonly layer = serviceLayer(
    Paths,
    Effect.flatMap(HostProcess, (host) => {
      const home = homeProblem(host.vars, host.osHome)
      if (home !== undefined) {
        return Effect.fail(
          new UsageError({
            problem:
              home.kind === "empty"
                ? "HOME is set but empty, so there is no home directory to keep openclaw's state in (it would land in the current directory)"
                : `${home.variable} is not an absolute path, so openclaw's state would land under the current directory`,
            fix: "set HOME to your home directory (or OPENCLAW_HOME to where openclaw should keep its state), as an absolute path"
          })
        )
      }
      const controlled = controlInPathVariable(host.vars)
      if (controlled !== undefined) {
        return Effect.fail(
          new UsageError({
            problem: `${controlled} holds a control character (a trailing newline, say), so openclaw would use another directory than the one meant`,
            fix: `set ${controlled} to the path alone ($(cat file) drops a trailing newline; a line of an env file must not end in a carriage return)`
          })
        )
      }
      const hostPaths = resolveHostPaths(host.vars, host.osHome, host.cwd)
      const paths: PathsShape = {
        ...hostPaths,
        agent: (config, requested) => {
          const resolved = resolveAgentPaths(hostPaths, config, host.vars, host.cwd, requested)
          if (resolved instanceof UnknownAgent) {
            return Effect.fail(new UnknownAgentError({ agentId: resolved.agentId, known: resolved.known, configPath: hostPaths.configPath }))
          }
          if (resolved instanceof UnsafeAgentId) {
            return Effect.fail(
              new UsageError({
                problem: `agent id ${JSON.stringify(resolved.agentId)} in ${hostPaths.configPath} cannot be a directory name under ${hostPaths.stateDir}/agents`,
                fix: "rename the agent (one directory name: no / or \\, not . or .., no control or direction characters, at most 255 bytes), or give it its own agentDir"
              })
            )
          }
          return Effect.succeed(resolved)
        }
      }
      return Effect.succeed(paths)
    })
  )
}
