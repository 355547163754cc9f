import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { credentialSecret } from "../../domain/Credential.js"
import { UsageError } from "../../domain/Errors.js"
import { credentialExpiry, describeExpiry } from "../../domain/Expiry.js"
import { maskSecret } from "../../domain/Mask.js"
import type { ProfileId } from "../../domain/ProfileId.js"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import { loadAuthContext } from "../../programs/AuthContext.js"
import type { RefreshOutcome } from "../../programs/OAuthRefresh.js"
import { agentOption } from "../SharedOptions.js"
import { report } from "./PasteCommands.js"
import { withSharedState } from "../SharedState.js"

const provider = Options.text("provider").pipe(
  Options.withDescription("Provider to sign in to, e.g. anthropic (others need auth.oauth.<provider> in the config).")
)

export const loginCommand = Command.make(
  "login",
  {
    provider,
    profileId: Options.text("profile-id").pipe(
      Options.withDescription("Profile id: <provider>:<name> or just <name> (default: <provider>:<email> when the provider names the account, else <provider>:default)."),
      Options.optional
    ),
    noBrowser: Options.boolean("no-browser").pipe(
      Options.withDescription("Do not open a browser here: print the URL and paste back the address the browser ends on.")
    ),
    agent: agentOption
  },
  (o) =>
    Effect.flatMap(
      // OAuth programs load on use: they bring node:http and node:crypto, which other commands do not need.
      Effect.flatMap(Effect.promise(() => import("../../programs/OAuthLogin.js")), ({ loginOAuth }) =>
        loginOAuth({
          provider: o.provider,
          profileId: Option.getOrUndefined(o.profileId),
          noBrowser: o.noBrowser,
          agent: Option.getOrUndefined(o.agent)
        })
      ),
      report
    )
).pipe(
  Command.withDescription(
    "Sign in with OAuth in a browser (PKCE) and store an oauth profile that is refreshed automatically. Without a desktop, or with --no-browser, paste the redirect URL instead."
  )
)

export const importCommand = Command.make(
  "import",
  {
    from: Options.text("from").pipe(Options.withDescription("Where to import from: claude-code (~/.claude/.credentials.json).")),
    agent: agentOption
  },
  (o) =>
    Effect.gen(function* () {
      const { importCredentials } = yield* Effect.promise(() => import("../../programs/ClaudeCodeImport.js"))
      const r = yield* importCredentials({ from: o.from, agent: Option.getOrUndefined(o.agent) })
      yield* report(r.stored)
      if (r.unchanged) yield* Console.log(`Already up to date: the stored profile is as new as ${esc(r.source)} or newer; nothing was changed.`)
    })
).pipe(
  Command.withDescription(
    "Import Claude Code's sign-in as the anthropic:claude-cli oauth profile. An oauth profile is never replaced by a token."
  )
)

const OUTCOME_TEXT: Readonly<Record<RefreshOutcome, string>> = {
  fresh: "fresh, no refresh needed",
  refreshed: "refreshed",
  "refreshed-elsewhere": "already refreshed by another process",
  "kept-stored": "replaced in the store meanwhile; using what is stored",
  "not-refreshable": "due, but no refresh token is stored; using the access token until it expires",
  "refresh-failed": "refresh failed",
  "not-oauth": "not an OAuth profile"
}

export const refreshCommand = Command.make(
  "refresh",
  {
    profileId: Options.text("profile-id").pipe(Options.withDescription("The OAuth profile, e.g. anthropic:default.")),
    agent: agentOption
  },
  (o) =>
    Effect.gen(function* () {
      const ctx = yield* loadAuthContext(Option.getOrUndefined(o.agent))
      const { refreshProfile } = yield* Effect.promise(() => import("../../programs/OAuthRefresh.js"))
      const r = yield* refreshProfile(ctx, o.profileId.trim() as ProfileId)
      if (r.outcome === "not-oauth") {
        return yield* new UsageError({
          problem: `${r.profileId} is a ${r.credential.type} profile; only oauth profiles are refreshed`,
          fix: "pass an oauth profile id (see `openclaw models auth list`)"
        })
      }
      if (r.failure) return yield* r.failure
      const now = yield* Clock.currentTimeMillis
      const access = credentialSecret(r.credential)
      const expiry = describeExpiry(credentialExpiry(r.credential, now))
      yield* Console.log(`${esc(r.profileId)}: ${OUTCOME_TEXT[r.outcome]}; access ${access ? maskSecret(access) : "(none)"}, ${expiry}`)
    })
).pipe(
  // On a host with gateway.state (§10), the refresh takes the lock every gateway shares and adopts a credential one
  // of them already refreshed: a CLI refresh beside the gateways must not spend the refresh token a second time.
  withSharedState,
  Command.withDescription(
    "Refresh an oauth profile now if it is expired or within 5 minutes of expiry (as every use does), and show its masked access token."
  )
)
