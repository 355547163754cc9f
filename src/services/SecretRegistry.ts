import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { maskSecret } from "../domain/Mask.js"

/**
 * Every secret value this process has loaded (stores, env files, env vars, config), so that whatever prints —
 * the CLI's console, the gateway's logger, the last-resort error printer — can scrub them by value. Masking at
 * the source is the rule; this is the net under it.
 */
export interface SecretRegistryShape {
  readonly register: (values: Iterable<string | undefined>) => Effect.Effect<void>
  /** Replaces every registered secret in `text` by its mask (`prefix…last4`). */
  readonly scrub: (text: string) => string
}

export class SecretRegistry extends Context.Tag("openclaw/SecretRegistry")<SecretRegistry, SecretRegistryShape>() {
  static readonly layer = Layer.sync(SecretRegistry, () => makeSecretRegistry())
}

/** Shorter values are too likely to be ordinary words to scrub by value. */
const MIN_SECRET_LENGTH = 8

export const makeSecretRegistry = (): SecretRegistryShape => {
  const secrets = new Set<string>()
  let sorted: Array<string> = []
  return {
    register: (values) =>
      Effect.sync(() => {
        let added = false
        for (const v of values) {
          if (v !== undefined && v.length >= MIN_SECRET_LENGTH && !secrets.has(v)) {
            secrets.add(v)
            added = true
          }
        }
        // Longest first, so a secret that contains another is replaced whole.
        if (added) sorted = [...secrets].sort((a, b) => b.length - a.length)
      }),
    scrub: (text) => {
      let out = text
      for (const s of sorted) if (out.includes(s)) out = out.split(s).join(maskSecret(s))
      return out
    }
  }
}

/** Environment variables whose values are secrets by their name. */
export const isSecretVarName = (name: string): boolean => /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i.test(name)
