import { configuredAgentIds, defaultAgentId } from "../domain/Config.js"
import { UnknownAgentError } from "../domain/Errors.js"
import { statusReport } from "../programs/ModelsStatus.js"
import { escapeControl } from "../domain/Untrusted.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import { type GatewayReply, jsonError } from "./Reply.js"
import type { GatewaySnapshot } from "./Snapshot.js"

/**
 * `GET /v1/auth/status[?agent=<id>]` (§8): the `models status --json` report of the agent as the snapshot holds
 * it, at `now`. Nothing is read, run or written per request. Without `?agent` it is the gateway's default agent;
 * an empty one is the configured default, as `--agent ""` is for the CLI.
 */
export const authStatusReply = (snapshot: GatewaySnapshot, requested: string | null, now: number): GatewayReply => {
  const main = snapshot.agents.get(snapshot.defaultAgentId)!
  const agentId = requested === null ? snapshot.defaultAgentId : requested.trim() || defaultAgentId(main.config)
  const ctx = snapshot.agents.get(agentId)
  if (ctx !== undefined) return { _tag: "json", status: 200, body: statusReport(ctx, now) }
  const failure = snapshot.agentErrors.get(agentId)
  if (failure !== undefined) return jsonError(500, redactSecrets(failure.message, snapshot.secrets), "server_error", failure._tag)
  // The id is the client's own text: shown escaped, and as sent (never scrubbed: the scrub would answer a guess, §11).
  const shown = escapeControl(agentId.slice(0, 200))
  const unknown = new UnknownAgentError({ agentId: shown, known: configuredAgentIds(main.config), configPath: main.host.configPath })
  return jsonError(404, redactSecrets(unknown.message, snapshot.secrets, [shown]), "invalid_request_error", unknown._tag)
}
