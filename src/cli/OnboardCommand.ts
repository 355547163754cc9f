import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { escapeControl as esc } from "../domain/Untrusted.js"
import type { OnboardResult } from "../programs/Onboard.js"
import { HostProcess } from "../services/HostProcess.js"
import { renderStatusText } from "./render/StatusText.js"
import { colorEnabled, makeStyle } from "./render/Style.js"
import { agentOption } from "./SharedOptions.js"

const optional = <A>(o: Options.Options<A>, description: string) =>
  o.pipe(Options.withDescription(description), Options.optional)

const options = {
  nonInteractive: Options.boolean("non-interactive").pipe(
    Options.withDescription("Never prompt: take every answer from the flags below (for scripts and provisioning).")
  ),
  authChoice: optional(
    Options.choice("auth-choice", ["api-key", "token"]),
    "api-key (recommended) or token (for anthropic: a setup-token from `claude setup-token`)."
  ),
  provider: optional(
    Options.text("provider"),
    "Provider id: anthropic, openai, openrouter, google, groq, mistral, xai, deepseek, together, ollama."
  ),
  apiKey: optional(
    Options.redacted("api-key"),
    "The API key. Prefer setting the provider's variable (e.g. OPENAI_API_KEY) instead: command lines show up " +
      "in `ps` and shell history."
  ),
  token: optional(Options.redacted("token"), "The token (or set ANTHROPIC_OAUTH_TOKEN for anthropic)."),
  tokenExpiresIn: optional(
    Options.text("token-expires-in"),
    "How long the token is valid: 30m, 12h, 2w, 365d, 1y (a bare number means days). Default: 365d for anthropic " +
      "setup-tokens, else no expiry."
  ),
  profileId: optional(
    Options.text("profile-id"),
    "Profile id for --store profiles (default: <provider>:default for keys, <provider>:manual for tokens)."
  ),
  store: optional(
    Options.choice("store", ["profiles", "env"]),
    "Where the secret lives: profiles (the agent's auth-profiles.json, default) or env (<state>/.env, for the " +
      "gateway daemon)."
  ),
  secretInputMode: optional(
    Options.choice("secret-input-mode", ["plaintext", "ref"]),
    "plaintext (default: the secret goes into the store) or ref: the profile stores a reference to the provider's " +
      "variable (e.g. {source: env, id: OPENAI_API_KEY}) instead of the value; the variable must be set now."
  ),
  model: optional(
    Options.text("model"),
    "Also set the default model (agents.defaults.model.primary), e.g. anthropic/claude-sonnet-4-5."
  ),
  agent: agentOption
}

const report = (r: OnboardResult) =>
  Effect.gen(function* () {
    const saved = r.saved
    if (saved._tag === "profile") {
      const { stored } = saved
      yield* Console.log(`Auth profile: ${esc(stored.profileId)} (${esc(stored.credential.provider)}/${stored.credential.type})`)
      if (stored.orderWithout) {
        const order = [...stored.orderWithout, stored.profileId].join(" ")
        yield* Console.log(
          esc(
            `Note: this agent's order for ${r.provider} is ${stored.orderWithout.join(", ")}, which does not include ` +
              `${stored.profileId}. Add it with: openclaw models auth order set --provider ${r.provider} ${order}`
          )
        )
      }
    } else {
      const verb = { added: "Added", replaced: "Replaced", unchanged: "Kept (already up to date)" }[saved.upsert.change]
      yield* Console.log(`${verb} ${saved.envVar} in ${esc(saved.path)} (mode 0600).`)
      if (saved.upsert.removedDuplicates > 0) {
        yield* Console.log(
          `Removed ${saved.upsert.removedDuplicates} later assignment(s) of ${saved.envVar} that would have overridden it.`
        )
      }
      if (saved.tightened) yield* Console.log(`Tightened ${esc(saved.path)} to mode 0600: it holds a secret.`)
    }
    if (r.model !== undefined) yield* Console.log(`Default model: ${esc(r.model)}`)
    for (const note of r.notes) yield* Console.log(`Note: ${esc(note)}`)
    const host = yield* HostProcess
    const style = makeStyle(colorEnabled(host.stdoutIsTTY, host.vars))
    const { report, configExists, stateEnvPath } = r.status
    yield* Console.log(`\n${renderStatusText(report, { configExists, stateEnvPath }, style)}`)
  })

export const onboardCommand = Command.make("onboard", options, (o) =>
  Effect.flatMap(
    // Loaded on use, so other commands do not pay for initialising the wizard.
    Effect.flatMap(Effect.promise(() => import("../programs/Onboard.js")), ({ onboard }) => onboard({
      nonInteractive: o.nonInteractive,
      authChoice: Option.getOrUndefined(o.authChoice),
      provider: Option.getOrUndefined(o.provider),
      apiKey: Option.getOrUndefined(o.apiKey),
      token: Option.getOrUndefined(o.token),
      tokenExpiresIn: Option.getOrUndefined(o.tokenExpiresIn),
      profileId: Option.getOrUndefined(o.profileId),
      store: Option.getOrUndefined(o.store),
      secretInputMode: Option.getOrUndefined(o.secretInputMode),
      model: Option.getOrUndefined(o.model),
      agent: Option.getOrUndefined(o.agent)
    })),
    report
  )
).pipe(
  Command.withDescription(
    "Set up a provider credential: a wizard on a terminal (provider, API key or token, where to keep it, default " +
      "model), or --non-interactive with flags. Ends with `models status`."
  )
)
