import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { UsageError } from "../domain/Errors.js"
import { checkExitCode } from "../domain/Status.js"
import { modelsStatus } from "../programs/ModelsStatus.js"
import { HostProcess } from "../services/HostProcess.js"
import { ExitCode } from "./ExitCode.js"
import { renderStatusText } from "./render/StatusText.js"
import { colorEnabled, makeStyle } from "./render/Style.js"
import { agentOption, jsonOption } from "./SharedOptions.js"

const plain = Options.boolean("plain").pipe(Options.withDescription("Print only the resolved default model."))
const check = Options.boolean("check").pipe(
  Options.withDescription(
    "Exit 1 if a token/OAuth profile is expired or has no known expiry, or a provider in use has no credential; exit 2 if one expires within 24h; else 0. Works with every output mode."
  )
)

export const modelsStatusCommand = Command.make(
  "status",
  { json: jsonOption, plain, check, agent: agentOption },
  (opts) =>
    Effect.gen(function* () {
      if (opts.json && opts.plain) {
        return yield* new UsageError({ problem: "--json and --plain cannot be used together", fix: "pass only one of them" })
      }
      const { report, configExists, stateEnvPath } = yield* modelsStatus(Option.getOrUndefined(opts.agent))
      if (opts.json) yield* Console.log(JSON.stringify(report, null, 2))
      else if (opts.plain) {
        yield* Console.log(report.defaultModel)
        for (const s of report.auth.skippedProfiles) {
          yield* Console.error(`warning: ${report.auth.storePath}: skipped profile ${s.profileId}: ${s.reason}`)
        }
      } else {
        const host = yield* HostProcess
        const style = makeStyle(colorEnabled(host.stdoutIsTTY, host.vars))
        yield* Console.log(renderStatusText(report, { configExists, stateEnvPath }, style))
      }
      if (opts.check) yield* Ref.set(yield* ExitCode, checkExitCode(report))
    })
).pipe(
  Command.withDescription(
    "Show which credential each provider uses, where it comes from, and what is expiring (for cron: --check)."
  )
)
