import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import { pasteApiKey, pasteToken, setupToken } from "../../programs/PasteCredential.js"
import type { StoredProfile } from "../../programs/StoreCredential.js"
import { agentOption } from "../SharedOptions.js"

const provider = Options.text("provider").pipe(
  Options.withDescription("Provider id, e.g. anthropic, openai, openrouter (aliases such as claude are accepted).")
)
const profileId = (defaultName: string) =>
  Options.text("profile-id").pipe(
    Options.withDescription(`Profile id: <provider>:<name> or just <name> (default: <provider>:${defaultName}).`),
    Options.optional
  )
const expiresIn = (defaultText: string) =>
  Options.text("expires-in").pipe(
    Options.withDescription(`How long the token is valid: 30m, 12h, 2w, 365d, 1y (a bare number means days). ${defaultText}`),
    Options.optional
  )

const ref = (secret: string) =>
  Options.text("ref").pipe(
    Options.withDescription(
      `Store a secret reference instead of the ${secret}: <source>:<provider>:<id>, e.g. env:default:OPENAI_API_KEY, ` +
        `file:filemain:/providers/openai/apiKey, exec:vault:openai/api-key. Nothing is prompted or read from standard ` +
        `input; the reference must resolve now (its value is checked, never stored).`
    ),
    Options.optional
  )

/** `Auth profile: <id> (<p>/<type>)`, and a note when the agent's explicit order leaves the new profile out. */
export const report = (stored: StoredProfile) =>
  Effect.gen(function* () {
    yield* Console.log(`Auth profile: ${esc(stored.profileId)} (${esc(stored.credential.provider)}/${stored.credential.type})`)
    if (stored.orderWithout) {
      yield* Console.log(
        esc(
          `Note: this agent's order for ${stored.credential.provider} is ${stored.orderWithout.join(", ")}, which does not include ${stored.profileId}. Add it with: openclaw models auth order set --provider ${stored.credential.provider} ${[...stored.orderWithout, stored.profileId].join(" ")}`
        )
      )
    }
  })

export const pasteTokenCommand = Command.make(
  "paste-token",
  { provider, profileId: profileId("manual"), expiresIn: expiresIn("Without it, a terminal asks (Enter: 365d for a setup-token); piped: no expiry."), ref: ref("token"), agent: agentOption },
  (o) =>
    Effect.flatMap(
      pasteToken({
        provider: o.provider,
        profileId: Option.getOrUndefined(o.profileId),
        expiresIn: Option.getOrUndefined(o.expiresIn),
        ref: Option.getOrUndefined(o.ref),
        agent: Option.getOrUndefined(o.agent)
      }),
      report
    )
).pipe(
  Command.withDescription(
    "Store a token (e.g. from `claude setup-token`). Prompts without echo on a terminal; reads standard input when " +
      "piped; with --ref stores where the token lives instead (a secret reference)."
  )
)

export const pasteApiKeyCommand = Command.make(
  "paste-api-key",
  { provider, profileId: profileId("default"), ref: ref("key"), agent: agentOption },
  (o) =>
    Effect.flatMap(
      pasteApiKey({
        provider: o.provider,
        profileId: Option.getOrUndefined(o.profileId),
        ref: Option.getOrUndefined(o.ref),
        agent: Option.getOrUndefined(o.agent)
      }),
      report
    )
).pipe(
  Command.withDescription(
    "Store an API key. Prompts without echo on a terminal; reads standard input when piped; with --ref stores " +
      "where the key lives instead (a secret reference)."
  )
)

const yes = Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("Do not ask before running `claude setup-token`."))

export const setupTokenCommand = Command.make(
  "setup-token",
  { provider, profileId: profileId("manual"), expiresIn: expiresIn("Default: 365d, the life of a setup-token."), yes, agent: agentOption },
  (o) =>
    Effect.flatMap(
      setupToken({
        provider: o.provider,
        profileId: Option.getOrUndefined(o.profileId),
        expiresIn: Option.getOrUndefined(o.expiresIn),
        yes: o.yes,
        agent: Option.getOrUndefined(o.agent)
      }),
      report
    )
).pipe(
  Command.withDescription(
    "Run Claude Code's `claude setup-token` on this terminal, then store the token it prints (anthropic only; needs a TTY)."
  )
)
