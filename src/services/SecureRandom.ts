import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash, randomBytes } from "node:crypto"

/** Cryptographic randomness and hashing for PKCE and `state` (§7); Effect's `Random` is not meant for secrets. */
export interface SecureRandomShape {
  readonly bytes: (n: number) => Effect.Effect<Uint8Array>
  readonly sha256: (text: string) => Effect.Effect<Uint8Array>
}

export class SecureRandom extends Context.Tag("openclaw/SecureRandom")<SecureRandom, SecureRandomShape>() {
  static readonly layer = Layer.succeed(SecureRandom, {
    bytes: (n) => Effect.sync(() => new Uint8Array(randomBytes(n))),
    sha256: (text) => Effect.sync(() => new Uint8Array(createHash("sha256").update(text, "utf8").digest()))
  })
}
