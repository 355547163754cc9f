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

/** The provider part of an id as stored (ids read from files are not re-slugged, so they still match). */
export const providerOfProfileId = (id: string): ProviderId => normalizeProvider(id.split(":", 1)[0] ?? "")
