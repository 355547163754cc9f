import { redactSecrets } from "../services/SecretRegistry.js"
import type { GatewayReply } from "./Reply.js"
import { describeUnresolved } from "./SecretSurface.js"
import type { ReloadOutcome } from "./State.js"

/** `POST /v1/secrets/reload` and `openclaw secrets reload --json`: the answer's wire shape (no value, ever). */
export interface SecretsReloadAnswer {
  readonly ok: boolean
  /** The generation serving after the reload: the new one, or the one kept. */
  readonly generation: number
  readonly degraded: boolean
  readonly unresolved: ReadonlyArray<{ readonly location: string; readonly ref: string; readonly reason: string; readonly needed: boolean }>
  /** When it kept the old snapshot: why, in the gateway's usual error object. */
  readonly error?: { readonly message: string; readonly type: string; readonly code: string }
}

export const SECRETS_RELOAD_PATH = "/v1/secrets/reload"

/**
 * 200 when the new snapshot was swapped in; 503 (with an error object, as every refusal of the gateway has) when it
 * kept the old one — the reload was asked for and did not happen, and asking again later may work.
 */
export const secretsReloadReply = (outcome: ReloadOutcome): GatewayReply => {
  const secrets = outcome.snapshot.secrets
  const unresolved = outcome.unresolved.map((u) => ({ location: u.location, ref: u.ref, reason: redactSecrets(u.reason, secrets), needed: u.needed }))
  const base = { generation: outcome.snapshot.generation, degraded: outcome.degraded, unresolved }
  if (outcome.swapped) return { _tag: "json", status: 200, body: { ok: true, ...base } satisfies SecretsReloadAnswer }
  const blocking = outcome.unresolved.filter((u) => u.needed)
  const error =
    outcome.failure !== undefined
      ? { message: `The reload failed, so the gateway keeps serving generation ${base.generation}: ${redactSecrets(outcome.failure, secrets)}`, type: "server_error", code: "reload_failed" }
      : {
          message: `A secret reference the gateway needs did not resolve, so it keeps serving generation ${base.generation} (the last good one): ${redactSecrets(blocking.map(describeUnresolved).join("; "), secrets)}. Fix: make the reference resolvable (its secrets provider running and the secret present), then run \`openclaw secrets reload\` again.`,
          type: "secrets_unresolved",
          code: "secrets_reload_degraded"
        }
  return { _tag: "json", status: 503, body: { ok: false, ...base, error } satisfies SecretsReloadAnswer }
}
