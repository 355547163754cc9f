import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { agentOption, jsonOption } from "../SharedOptions.js"
import { allowExecOption, applyJson, renderApplyText } from "./ApplyCommand.js"

const planOut = Options.file("plan-out", { exists: "either" }).pipe(
  Options.withDescription("Write the plan to this file (mode 0600; refs only, never a value) to apply later with `secrets apply --from`."),
  Options.optional
)
const apply = Options.boolean("apply").pipe(
  Options.withDescription("Apply the plan after the preflight (asks to confirm, since scrubbing plain values cannot be undone).")
)
const yes = Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("With --apply: do not ask to confirm."))
const providersOnly = Options.boolean("providers-only").pipe(
  Options.withDescription("Only add, edit or remove secrets.providers entries; map no fields.")
)
const skipProviderSetup = Options.boolean("skip-provider-setup").pipe(
  Options.withDescription("Go straight to mapping fields, with the providers already configured.")
)

export const configureCommand = Command.make(
  "configure",
  { planOut, apply, yes, providersOnly, skipProviderSetup, agent: agentOption, allowExec: allowExecOption, json: jsonOption },
  (o) =>
    Effect.gen(function* () {
      const { secretsConfigure } = yield* Effect.promise(() => import("../../programs/SecretsConfigure.js"))
      const result = yield* secretsConfigure({
        planOut: Option.getOrUndefined(o.planOut),
        apply: o.apply,
        yes: o.yes,
        providersOnly: o.providersOnly,
        skipProviderSetup: o.skipProviderSetup,
        agent: Option.getOrUndefined(o.agent),
        allowExec: o.allowExec,
        json: o.json,
        show: (preflight) => (o.json ? Effect.void : Console.log(renderApplyText(preflight, false)))
      })
      if (o.json) {
        yield* Console.log(
          JSON.stringify(
            {
              plan: result.plan ?? null,
              planOut: result.planOut ?? null,
              preflight: result.preflight === undefined ? null : applyJson(result.preflight),
              applied: result.applied === undefined ? null : applyJson(result.applied)
            },
            null,
            2
          )
        )
      } else if (result.applied !== undefined) {
        yield* Console.log(renderApplyText(result.applied))
      }
    })
).pipe(
  Command.withDescription(
    "A terminal wizard for SecretRefs: set up secrets providers (env, file, exec), map credential fields of one " +
      "agent's store and of openclaw.json to refs, preflight-resolve them, then write a plan (--plan-out) and/or " +
      "apply it (--apply). Needs a terminal."
  )
)
