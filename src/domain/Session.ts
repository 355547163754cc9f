import type { ProfileId } from "./ProfileId.js"

/** A chat session's sticky choices (§8.3). Persisted by the gateway so they survive a restart. */
export interface Session {
  /** `/model <ref>`: the session's model instead of the agent's default. */
  readonly model?: string
  /** `/model <ref>@<profile>`: only this profile, never rotated, until `/new`. */
  readonly userPin?: ProfileId
  /** The profile chosen automatically, kept (cache-friendly) until reset or until it cools down. */
  readonly autoPin?: ProfileId
  /** The auto pin of the session before the last `/new`, so the next one advances past it. */
  readonly previousAutoPin?: ProfileId
  readonly updatedAt: number
}

/** `/new` or `/reset`: the user pin and model end; the automatic pin advances to the next profile. */
export const resetSession = (s: Session | undefined, now: number): Session => ({
  ...(s?.autoPin ? { previousAutoPin: s.autoPin } : s?.previousAutoPin ? { previousAutoPin: s.previousAutoPin } : {}),
  updatedAt: now
})

/**
 * The order to try a provider's available profiles in, for this session: the user pin alone; else the auto pin
 * first while it is available; after a reset, start after the previous pin.
 */
export const sessionCandidates = (
  session: Session | undefined,
  available: ReadonlyArray<ProfileId>
): ReadonlyArray<ProfileId> => {
  if (session?.autoPin && available.includes(session.autoPin)) {
    return [session.autoPin, ...available.filter((id) => id !== session.autoPin)]
  }
  const previous = session?.previousAutoPin ? available.indexOf(session.previousAutoPin) : -1
  return previous < 0 ? available : [...available.slice(previous + 1), ...available.slice(0, previous + 1)]
}
