import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  CLAUDE_CODE_PROFILE_ID,
  claudeCredentialsPath,
  decodeClaudeCredentials,
  importDecision
} from "../domain/ClaudeCode.js"
import { credentialSecret } from "../domain/Credential.js"
import { UsageError } from "../domain/Errors.js"
import { jsonStructureProblem } from "../domain/JsonStructure.js"
import { ClaudeCodeImportError, ImportWouldDowngradeError } from "../domain/OAuthErrors.js"
import { Files } from "../services/Files.js"
import { HostProcess } from "../services/HostProcess.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { loadAuthContext } from "./AuthContext.js"
import { type StoredProfile, storeCredential } from "./StoreCredential.js"

export interface ImportResult {
  readonly stored: StoredProfile
  readonly source: string
  /** The stored profile was already as new as Claude Code's (or newer); nothing was written. */
  readonly unchanged: boolean
}

const SOURCES = ["claude-code"] as const

/**
 * `models auth import --from claude-code`: Claude Code's login (`~/.claude/.credentials.json`) becomes the
 * `anthropic:claude-cli` OAuth profile. An OAuth profile is never downgraded to a token, and one we refreshed
 * since (newer than Claude Code's copy) is kept.
 */
export const importCredentials = Effect.fn("Auth.import")(function* (opts: { readonly from: string; readonly agent: string | undefined }) {
  if (!(SOURCES as ReadonlyArray<string>).includes(opts.from)) {
    return yield* new UsageError({ problem: `--from ${opts.from} is not a source openclaw can import from`, fix: "use --from claude-code" })
  }
  const host = yield* HostProcess
  const path = claudeCredentialsPath(host.vars, host.vars.HOME?.trim() ? host.vars.HOME : host.osHome)
  const failed = (problem: string) => new ClaudeCodeImportError({ path, detail: problem, platform: host.platform })
  const ctx = yield* loadAuthContext(opts.agent)
  const text = yield* (yield* Files).readText(path).pipe(
    Effect.mapError((e) => failed(`it cannot be read (${e.code})`)),
    Effect.flatMap(Option.match({ onNone: () => Effect.fail(failed("the file does not exist")), onSome: Effect.succeed }))
  )
  const json = yield* Effect.try({ try: (): unknown => JSON.parse(text), catch: () => failed("it is not valid JSON") })
  // Read like every file (§11): a repeated key, a number no double holds, nesting past the limit are said, not guessed.
  const shape = jsonStructureProblem(text, { parsed: json, allowPrototypeKeys: true })
  if (shape !== undefined) return yield* failed(`${shape.line}:${shape.column}: ${shape.detail}`)
  const credential = yield* Either.mapLeft(decodeClaudeCredentials(json, yield* Clock.currentTimeMillis), failed)
  yield* (yield* SecretRegistry).register([
    credentialSecret(credential),
    credential.type === "oauth" && credential.refresh ? Redacted.value(credential.refresh) : undefined
  ])
  const existing = ctx.store.store.profiles.get(CLAUDE_CODE_PROFILE_ID)
  switch (importDecision(existing, credential).kind) {
    case "would-downgrade":
      return yield* new ImportWouldDowngradeError({ profileId: CLAUDE_CODE_PROFILE_ID, path })
    case "stored-is-newer":
      return {
        stored: { profileId: CLAUDE_CODE_PROFILE_ID, credential: existing!, orderWithout: undefined },
        source: path,
        unchanged: true
      } satisfies ImportResult
    case "store":
      break
  }
  const stored = yield* storeCredential(ctx, CLAUDE_CODE_PROFILE_ID, credential)
  return { stored, source: path, unchanged: false } satisfies ImportResult
})
