import * as Redacted from "effect/Redacted"
import { type LocatedRef, resolutionOf } from "../domain/SecretResolution.js"
import type { AuthContext } from "./AuthContext.js"

/**
 * The gateway's access token and address as a snapshot holds them: what the gateway enforces (../gateway/State.ts)
 * and what `openclaw secrets reload` presents to it (../cli/secrets), read from the same place.
 */

export const GATEWAY_TOKEN_VAR = "OPENCLAW_GATEWAY_TOKEN"
export const DEFAULT_GATEWAY_PORT = 18789
/** The JSON path of the config's token: a plain string or a SecretRef (§9). */
export const GATEWAY_TOKEN_PATH = "gateway.auth.token"

export interface GatewayAccess {
  readonly token: Redacted.Redacted<string> | undefined
  readonly source: "config" | "env" | "ref" | undefined
  /** `gateway.auth.token` is a ref the gateway needs (no OPENCLAW_GATEWAY_TOKEN) and it did not resolve: why. */
  readonly unresolved?: { readonly ref: LocatedRef; readonly reason: string }
}

/** The `gateway.auth.token` ref of the snapshot, if the config holds one there. */
export const gatewayTokenRef = (ctx: AuthContext): LocatedRef | undefined =>
  ctx.secrets.refs.find((r) => r.path === GATEWAY_TOKEN_PATH && r.file === ctx.host.configPath)

/**
 * A plain `gateway.auth.token` (after `${VAR}` substitution) wins over OPENCLAW_GATEWAY_TOKEN, as before refs.
 * A ref there gives way to the variable, as in OpenClaw ("env token input wins for that runtime"): the variable
 * is how a service unit overrides a ref whose provider is down. Only without it is the ref needed.
 */
export const gatewayAccess = (ctx: AuthContext): GatewayAccess => {
  const fromEnv = ctx.env.vars.get(GATEWAY_TOKEN_VAR)?.value.trim()
  const ref = gatewayTokenRef(ctx)
  if (ref === undefined) {
    const configured = ctx.config.gateway?.auth?.token
    const plain = typeof configured === "string" ? configured.trim() : undefined
    if (plain) return { token: Redacted.make(plain), source: "config" }
  }
  if (fromEnv) return { token: Redacted.make(fromEnv), source: "env" }
  if (ref === undefined) return { token: undefined, source: undefined }
  const resolution = resolutionOf(ctx.secrets, ref.ref)
  if (resolution._tag === "Resolved" && resolution.value.trim() !== "") return { token: Redacted.make(resolution.value.trim()), source: "ref" }
  return { token: undefined, source: undefined, unresolved: { ref, reason: resolution._tag === "Resolved" ? "it resolved to an empty value" : resolution.reason } }
}

/** Where a client on this machine reaches the configured gateway: loopback, whatever it binds to. */
export const gatewayLocalUrl = (ctx: AuthContext): string => `http://127.0.0.1:${ctx.config.gateway?.port ?? DEFAULT_GATEWAY_PORT}`
