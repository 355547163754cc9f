/** Where the gateway listens (address, port) and whether the configured access allows it; the refusal is a GatewayStartError. */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { DEFAULT_GATEWAY_PORT } from "../programs/GatewayAccess.js"
import type { Bind, GatewayOptions } from "./Options.js"
import { GatewayStartError } from "./StartError.js"
import type { GatewaySnapshot } from "./Snapshot.js"

export interface ListenPlan {
  readonly bind: Bind
  readonly host: string
  readonly port: number
  /** `gateway.limits.maxConnections`, when configured (else the edge's own default, server.ts connectionCap). */
  readonly maxConnections: number | undefined
  readonly warnings: ReadonlyArray<string>
}

const HOSTS: Readonly<Record<Bind, string>> = { loopback: "127.0.0.1", lan: "0.0.0.0" }

/** Where to listen, and whether that is allowed with the access configured (§8.2). */
export const planListen = (options: GatewayOptions, snapshot: GatewaySnapshot): Either.Either<ListenPlan, GatewayStartError> => {
  const ctx = snapshot.agents.get(snapshot.defaultAgentId)!
  const configPath = ctx.host.configPath
  const rawBind = options.bind ?? ctx.config.gateway?.bind ?? "loopback"
  if (rawBind !== "loopback" && rawBind !== "lan") {
    return Either.left(new GatewayStartError({ kind: "bind", value: rawBind, ...(options.bind === undefined ? { configPath } : {}) }))
  }
  const port = options.port ?? ctx.config.gateway?.port ?? DEFAULT_GATEWAY_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Either.left(new GatewayStartError({ kind: "port", value: String(port), ...(options.port === undefined ? { configPath } : {}) }))
  }
  const { token, source } = snapshot.access
  const warnings: Array<string> = []
  if (token === undefined) {
    if (rawBind !== "loopback") {
      return Either.left(new GatewayStartError({ kind: "no-token", value: rawBind, configPath, stateEnvPath: ctx.host.stateEnvPath }))
    }
    warnings.push(
      `no gateway token is configured: any program on this machine can use the gateway. Set OPENCLAW_GATEWAY_TOKEN in ${ctx.host.stateEnvPath} or gateway.auth.token in ${configPath} to require one.`
    )
  } else if (Redacted.value(token).length < 16) {
    warnings.push(`the gateway token (from ${source === "env" ? "OPENCLAW_GATEWAY_TOKEN" : "gateway.auth.token"}) is shorter than 16 characters; use a long random one`)
  }
  if (ctx.missingConfigVars.length > 0) {
    warnings.push(`the config references unset variables: ${ctx.missingConfigVars.map((v) => `\${${v}}`).join(", ")}`)
  }
  return Either.right({ bind: rawBind, host: HOSTS[rawBind], port, maxConnections: ctx.config.gateway?.limits?.maxConnections, warnings })
}
