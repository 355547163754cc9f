import { providersInUse } from "../domain/Config.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { normalizeProvider } from "../domain/Provider.js"
import { secretRefLabel } from "../domain/SecretRef.js"
import { type LocatedRef, unresolvedRefs } from "../domain/SecretResolution.js"
import type { AuthContext } from "../programs/AuthContext.js"
import { GATEWAY_TOKEN_PATH, GATEWAY_TOKEN_VAR } from "../programs/GatewayAccess.js"
import { GatewaySecretsError } from "./StartError.js"

/**
 * Which SecretRefs the gateway needs (§9), after OpenClaw's "active surface" rule: an unresolved ref on a surface
 * the gateway uses stops its start and blocks a reload (the last good snapshot keeps serving); one on a surface it
 * does not use is reported once and otherwise ignored. The gateway uses:
 * - `gateway.auth.token` — unless OPENCLAW_GATEWAY_TOKEN is set, which then wins (./../programs/GatewayAccess.ts);
 * - `models.providers.<p>.apiKey` / `.headers.<name>` — when `p` is a provider of some agent's primary or fallback
 *   models (the providers `models status --check` judges too); a provider only reachable by `/model` is not;
 * - a store profile's `keyRef` / `tokenRef` — on the same condition for the profile's provider. A failing profile
 *   of a used provider blocks even when its siblings resolve: failover would otherwise quietly lose a credential
 *   the user configured, which is what fail-fast is for;
 * - any other place a ref was found — fail closed: needed.
 */

/** An unresolved ref, by where it is and why; never its value (it has none). */
export interface UnresolvedSecret {
  /** `<json path> in <file>`: what a user edits. */
  readonly location: string
  readonly file: string
  readonly path: string
  /** `ref env:NAME` / `ref exec:<alias>`: never a file or exec id, which can be a path. */
  readonly ref: string
  readonly reason: string
  readonly needed: boolean
  /** For an unneeded one: why the gateway does not need it. */
  readonly inactiveBecause?: string
}

const MODEL_PROVIDERS = "models.providers."
const PROFILES = "profiles."

/** Why the gateway does not need `located`; undefined when it does. */
const inactiveBecause = (located: LocatedRef, ctx: AuthContext, used: ReadonlySet<string>): string | undefined => {
  const { path } = located
  if (path === GATEWAY_TOKEN_PATH) {
    return ctx.env.vars.get(GATEWAY_TOKEN_VAR)?.value.trim() ? `${GATEWAY_TOKEN_VAR} is set and wins over it` : undefined
  }
  if (path.startsWith(MODEL_PROVIDERS)) {
    const rest = path.slice(MODEL_PROVIDERS.length)
    const provider = normalizeProvider(rest.slice(0, rest.indexOf(".") < 0 ? rest.length : rest.indexOf(".")))
    return used.has(provider) ? undefined : `no agent's model uses provider ${provider}`
  }
  if (path.startsWith(PROFILES) && (path.endsWith(".keyRef") || path.endsWith(".tokenRef"))) {
    // Profile ids may hold dots (`anthropic:me@example.com`): the id is everything between the prefix and the field.
    const id = path.slice(PROFILES.length, path.lastIndexOf(".")) as ProfileId
    const provider = ctx.store.store.profiles.get(id)?.provider ?? normalizeProvider(id.split(":")[0] ?? id)
    return used.has(provider) ? undefined : `no agent's model uses provider ${provider}`
  }
  return undefined
}

/** Every unresolved ref of the agents' snapshots (each location once), needed ones first. */
export const unresolvedSecrets = (agents: Iterable<AuthContext>): ReadonlyArray<UnresolvedSecret> => {
  const contexts = [...agents]
  const used = new Set<string>(contexts.flatMap((ctx) => providersInUse(ctx.models)))
  const seen = new Set<string>()
  const out: Array<UnresolvedSecret> = []
  for (const ctx of contexts) {
    for (const u of unresolvedRefs(ctx.secrets)) {
      const location = `${u.path} in ${u.file}`
      if (seen.has(location)) continue
      seen.add(location)
      const inactive = inactiveBecause(u, ctx, used)
      out.push({
        location,
        file: u.file,
        path: u.path,
        ref: secretRefLabel(u.ref),
        reason: u.reason,
        needed: inactive === undefined,
        ...(inactive === undefined ? {} : { inactiveBecause: inactive })
      })
    }
  }
  return out.sort((a, b) => Number(b.needed) - Number(a.needed))
}

/** One clause per ref: `gateway.auth.token in /h/openclaw.json (ref exec:vault): <reason>`. */
export const describeUnresolved = (u: UnresolvedSecret): string => `${u.location} (${u.ref}): ${u.reason}`

/** Fail fast (§9): the refusal to start when a needed ref did not resolve, naming each; undefined when none. */
export const startRefusal = (unresolved: ReadonlyArray<UnresolvedSecret>, stateEnvPath: string): GatewaySecretsError | undefined => {
  const blocking = unresolved.filter((u) => u.needed)
  return blocking.length === 0
    ? undefined
    : new GatewaySecretsError({ unresolved: blocking.map(({ location, path, ref, reason }) => ({ location, path, ref, reason })), stateEnvPath })
}
