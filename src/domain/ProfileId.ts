import * as Schema from "effect/Schema"
import { normalizeProvider, type ProviderId } from "./Provider.js"

/** `<provider>:<name>` (§1). */
export const ProfileId = Schema.String.pipe(Schema.brand("ProfileId"))
export type ProfileId = typeof ProfileId.Type

/** Lower-case, runs outside `[a-z0-9._@-]` become `-`, trimmed; empty → `default`. */
export const slugProfileName = (raw: string): string => {
  const slug = raw
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, "-")
    .replace(/^-+|-+$/g, "")
  return slug === "" ? "default" : slug
}

export const makeProfileId = (provider: ProviderId, name: string): ProfileId =>
  `${provider}:${slugProfileName(name)}` as ProfileId

/**
 * What a user passes as `--profile-id`: either a full `<provider>:<name>` or just a name for the given provider.
 */
export const profileIdFromInput = (provider: ProviderId, input: string): ProfileId => {
  const colon = input.indexOf(":")
  return colon < 0
    ? makeProfileId(provider, input)
    : makeProfileId(normalizeProvider(input.slice(0, colon)), input.slice(colon + 1))
}

/** Longer names are no one's profile: they would pad every row of `auth list` (§6). */
export const MAX_PROFILE_NAME = 64

/**
 * Why `--profile-id` cannot name a profile of `provider`, if it cannot: a `<provider>:` prefix of another provider
 * (a profile stored under `anthropic:` for openai would be listed, ordered and chosen as anthropic's), or a name
 * longer than MAX_PROFILE_NAME.
 */
export const profileIdProblem = (provider: ProviderId, input: string): { readonly problem: string; readonly fix: string } | undefined => {
  const colon = input.indexOf(":")
  const name = colon < 0 ? input : input.slice(colon + 1)
  if (colon >= 0) {
    const prefix = normalizeProvider(input.slice(0, colon))
    if (prefix !== provider) {
      return {
        problem: `--profile-id ${makeProfileId(prefix, name)} is a profile of ${prefix}, not of ${provider}`,
        fix: `pass --profile-id ${slugProfileName(name)} (it becomes ${makeProfileId(provider, name)}), or --provider ${prefix}`
      }
    }
  }
  if (slugProfileName(name).length > MAX_PROFILE_NAME) {
    return { problem: `the profile name is ${slugProfileName(name).length} characters; at most ${MAX_PROFILE_NAME} are allowed`, fix: "pass a shorter --profile-id (for example work or personal)" }
  }
  return undefined
}

/** The provider part of an id as stored (ids read from files are not re-slugged, so they still match). */
export const providerOfProfileId = (id: string): ProviderId => normalizeProvider(id.split(":", 1)[0] ?? "")
