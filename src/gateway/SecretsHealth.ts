import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { describeUnresolved, type UnresolvedSecret } from "./SecretSurface.js"

/**
 * The gateway's secrets state across reloads (§9, OpenClaw's "degraded and recovered signals"): a reload that
 * cannot resolve a needed ref keeps the last good snapshot and the gateway is *degraded* until a reload resolves
 * them all again. The codes are logged once per spell — the first failure, then the recovery — so a resolver that
 * stays down for hours, with a watch or a script asking to reload every minute, does not bury the log.
 */
export interface SecretsHealth {
  readonly degraded: boolean
  /** The needed refs the last failed attempt could not resolve (empty when healthy). */
  readonly blocking: ReadonlyArray<UnresolvedSecret>
  /** Unneeded refs already reported (`location: reason`), each once. */
  readonly reported: ReadonlySet<string>
}

export const healthy: SecretsHealth = { degraded: false, blocking: [], reported: new Set() }

export const DEGRADED = "SECRETS_RELOADER_DEGRADED"
export const RECOVERED = "SECRETS_RELOADER_RECOVERED"
export const IGNORED_INACTIVE = "SECRETS_REF_IGNORED_INACTIVE_SURFACE"

export interface LogLine {
  readonly level: "info" | "warning"
  readonly text: string
}

/** What one attempt found: every unresolved ref of the snapshot it built (needed or not). */
export interface Attempt {
  /** `reload (<why>)`, as the log names it. */
  readonly what: string
  readonly unresolved: ReadonlyArray<UnresolvedSecret>
  /** The generation serving after it: the new one, or the kept one. */
  readonly generation: number
}

const listed = (refs: ReadonlyArray<UnresolvedSecret>): string => refs.map(describeUnresolved).join("; ")

/** Unneeded refs not reported before: one line each. */
const inactiveLines = (health: SecretsHealth, unresolved: ReadonlyArray<UnresolvedSecret>): [ReadonlySet<string>, Array<LogLine>] => {
  const reported = new Set(health.reported)
  const lines: Array<LogLine> = []
  for (const u of unresolved) {
    const key = `${u.location}: ${u.reason}`
    if (u.needed || reported.has(key)) continue
    reported.add(key)
    lines.push({ level: "warning", text: `${IGNORED_INACTIVE} ${describeUnresolved(u)} (not needed: ${u.inactiveBecause ?? "unused"})` })
  }
  return [reported, lines]
}

/**
 * The next state and what to log after an attempt. `blocked`: it found needed refs unresolved and kept the old
 * snapshot. The first snapshot never goes through here with needed refs unresolved: the start fails instead, and
 * a gateway that never served was never degraded.
 */
export const afterAttempt = (health: SecretsHealth, attempt: Attempt): [SecretsHealth, ReadonlyArray<LogLine>] => {
  const blocking = attempt.unresolved.filter((u) => u.needed)
  const [reported, lines] = inactiveLines(health, attempt.unresolved)
  if (blocking.length > 0) {
    const line: LogLine = health.degraded
      ? { level: "warning", text: `${attempt.what} still cannot resolve ${listed(blocking)}; still serving generation ${attempt.generation}` }
      : {
          level: "warning",
          text: `${DEGRADED} ${attempt.what} could not resolve a secret reference the gateway needs, so it keeps serving generation ${attempt.generation} (the last good one): ${listed(blocking)}`
        }
    return [{ degraded: true, blocking, reported }, [...lines, line]]
  }
  const recovered: Array<LogLine> = health.degraded
    ? [{ level: "info", text: `${RECOVERED} ${attempt.what} resolved every secret reference the gateway needs; serving generation ${attempt.generation}` }]
    : []
  return [{ degraded: false, blocking: [], reported }, [...lines, ...recovered]]
}

/** The gateway's record of it: each attempt goes through `afterAttempt`, and what that says is logged. */
export const makeSecretsHealthRecord = Effect.map(Ref.make(healthy), (ref) => ({
  current: Ref.get(ref),
  record: (attempt: Attempt) =>
    Effect.flatMap(
      Ref.modify(ref, (health) => {
        const [next, lines] = afterAttempt(health, attempt)
        return [lines, next]
      }),
      (lines) => Effect.forEach(lines, (l) => (l.level === "info" ? Effect.logInfo(l.text) : Effect.logWarning(l.text)), { discard: true })
    )
}))
