import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { CHECK_IDS, type CheckReport, type CheckStatus, countStatuses, summaryLine } from "../domain/Doctor.js"
import { UsageError } from "../domain/Errors.js"
import { escapeControl as esc } from "../domain/Untrusted.js"
import type { DoctorReport } from "../programs/Doctor.js"
import { HostProcess } from "../services/HostProcess.js"
import { ExitCode } from "./ExitCode.js"
import { colorEnabled, makeStyle, type Style } from "./render/Style.js"
import { agentOption, jsonOption } from "./SharedOptions.js"

const fix = Options.boolean("fix").pipe(
  Options.withDescription(
    "Repair what is safe (file modes, legacy import, ended cooldowns, config mode entries); ask before anything that deletes data. Never changes a secrets file or an exec provider's command."
  )
)
const yes = Options.boolean("yes").pipe(
  Options.withAlias("y"),
  Options.withDescription("With --fix: also apply fixes that delete data (malformed profiles) without asking.")
)
const nonInteractive = Options.boolean("non-interactive").pipe(
  Options.withDescription("Never prompt: with --fix, fixes that need confirmation are skipped unless --yes.")
)

const marker = (style: Style, status: CheckStatus): string => {
  const word = status.padEnd(4)
  return status === "ok" ? style.green(word) : status === "warn" ? style.yellow(word) : style.red(word)
}

/** One line per check (marker, id, summary), its fix indented below, then the totals. */
const renderDoctorText = (report: DoctorReport, style: Style): string => {
  const width = Math.max(...CHECK_IDS.map((id) => id.length))
  const lines = [style.bold(`openclaw doctor: agent ${report.agentId === null ? "(unknown)" : esc(report.agentId)}, config ${esc(report.configPath)}`)]
  // Summaries and fixes quote ids, paths and provider text from outside (§11); the program's own words hold no
  // control characters, so the whole field is escaped.
  const detail = (c: CheckReport): ReadonlyArray<string> => {
    const pad = " ".repeat(6 + width)
    if (c.fixed === true) return [`${pad}${style.green("fixed:")} ${esc(c.fixDetail ?? "")}`]
    const out = c.remediation === null ? [] : [`${pad}fix: ${esc(c.remediation)}`]
    return c.fixed === false ? [...out, `${pad}${style.yellow("not fixed:")} ${esc(c.fixDetail ?? "")}`] : out
  }
  for (const c of report.checks) lines.push(`${marker(style, c.status)}  ${c.id.padEnd(width)}  ${esc(c.summary)}`, ...detail(c))
  lines.push(summaryLine(report.checks))
  return lines.join("\n")
}

export const doctorCommand = Command.make(
  "doctor",
  { fix, yes, nonInteractive, json: jsonOption, agent: agentOption },
  (o) =>
    Effect.gen(function* () {
      if (o.yes && !o.fix) {
        return yield* new UsageError({ problem: "--yes only applies to --fix", fix: "run `openclaw doctor --fix --yes`" })
      }
      // Loaded on use, so other commands do not pay for initialising it.
      const { doctor } = yield* Effect.promise(() => import("../programs/Doctor.js"))
      const host = yield* HostProcess
      const report = yield* doctor({
        agent: Option.getOrUndefined(o.agent),
        fix: o.fix,
        yes: o.yes,
        nonInteractive: o.nonInteractive,
        progress: host.stdoutIsTTY && !o.json
      })
      if (o.json) {
        yield* Console.log(JSON.stringify({ ...report, counts: countStatuses(report.checks) }, null, 2))
      } else {
        yield* Console.log(renderDoctorText(report, makeStyle(colorEnabled(host.stdoutIsTTY, host.vars))))
      }
      if (report.checks.some((c) => c.status === "fail")) yield* Ref.set(yield* ExitCode, 1)
    })
).pipe(
  Command.withDescription(
    "Check credential stores, config, permissions, expiry, cooldowns, secret references (unresolved refs, insecure secrets providers, plain residue) and the daemon's environment; --fix repairs what it safely can. Exit 1 if any check fails."
  )
)
