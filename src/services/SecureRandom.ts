import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { serviceLayer } from "./LayerInOrder.js"

/** Cryptographic randomness and hashing for PKCE and `state` (§7); Effect's `Random` is not meant for secrets. */
export interface SecureRandomShape {
  readonly bytes: (n: number) => Effect.Effect<Uint8Array>
  readonly sha256: (text: string) => Effect.Effect<Uint8Array>
}

export class SecureRandom extends Context.Tag("openclaw/SecureRandom")<SecureRandom, SecureRandomShape>() {
  // node:crypto is loaded on first use: only `login` needs it, and loading it costs every command start-up time.
  static readonly layer = serviceLayer(SecureRandom, Effect.succeed({
    bytes: (n) => Effect.promise(() => import("node:crypto").then((c) => new Uint8Array(c.randomBytes(n)))),
    sha256: (text) =>
      Effect.promise(() => import("node:crypto").then((c) => new Uint8Array(c.createHash("sha256").update(text, "utf8").digest())))
  }))
}
