import * as Either from "effect/Either"

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 }

/** `--expires-in`: `1y` (365 d), `2w`, `365d`, `12h`, `30m`; a bare number means days. */
export const parseExpiresIn = (raw: string): Either.Either<number, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([mhdwy]?)\s*$/i.exec(raw)
  const value = match ? Number(match[1]) : Number.NaN
  if (!match || !(value > 0)) {
    return Either.left(`"${raw}" is not a duration: use a positive number with m, h, d, w or y (30m, 12h, 2w, 365d, 1y; a bare number means days)`)
  }
  const ms = value * UNIT_MS[(match[2] || "d").toLowerCase()]!
  if (ms < UNIT_MS.m!) return Either.left(`"${raw}" is shorter than a minute (use 30m, 12h, 2w, 1y)`)
  return ms > 100 * 365 * UNIT_MS.d! ? Either.left(`"${raw}" is more than 100 years`) : Either.right(Math.round(ms))
}

/** Setup-tokens from `claude setup-token` live one year. */
export const SETUP_TOKEN_LIFETIME_MS = 365 * UNIT_MS.d!

/**
 * An answer to "how long is this token valid?": a duration as for `--expires-in`, `never` for no expiry
 * (`undefined`), or nothing at all for `fallback` (itself such an answer).
 */
export const parseLifetimeAnswer = (raw: string, fallback: string): Either.Either<number | undefined, string> => {
  const answer = raw.trim() === "" ? fallback : raw.trim()
  return /^(never|none)$/i.test(answer) ? Either.right(undefined) : parseExpiresIn(answer)
}
