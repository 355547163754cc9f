import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { stripAnsi } from "./render/Style.js"

/**
 * Runs `self` with a console that scrubs every registered secret from what it prints and, when output is not
 * colour-capable, strips the escape codes @effect/cli always puts in its help.
 */
export const withOutputConsole = <A, E, R>(self: Effect.Effect<A, E, R>, options: { readonly plain: boolean }) =>
  Effect.gen(function* () {
    const registry = yield* SecretRegistry
    const base = yield* Effect.console
    const clean = (a: unknown) => {
      if (typeof a !== "string") return a
      const scrubbed = registry.scrub(a)
      return options.plain ? stripAnsi(scrubbed) : scrubbed
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
