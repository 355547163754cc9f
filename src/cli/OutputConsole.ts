import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { escapeForTerminal } from "../domain/Untrusted.js"
import { SecretRegistry } from "../services/SecretRegistry.js"

/**
 * Runs `self` with a console that scrubs every registered secret from what it prints, then escapes every control
 * character but line breaks, tabs and SGR colour codes (§11: the renderers escape outside text where they quote
 * it; this is the net for whatever a path forgot) and, when output is not colour-capable, drops the colour codes
 * too — @effect/cli always puts them in its help.
 */
export const withOutputConsole = <A, E, R>(self: Effect.Effect<A, E, R>, options: { readonly plain: boolean }) =>
  Effect.gen(function* () {
    const registry = yield* SecretRegistry
    const base = yield* Effect.console
    const clean = (a: unknown) => {
      if (typeof a !== "string") return a
      return escapeForTerminal(registry.scrub(a), !options.plain)
    }
    const console: Console.Console = {
      ...base,
      log: (...args) => base.log(...args.map(clean)),
      error: (...args) => base.error(...args.map(clean)),
      warn: (...args) => base.warn(...args.map(clean)),
      info: (...args) => base.info(...args.map(clean))
    }
    return yield* Effect.withConsole(self, console)
  })
