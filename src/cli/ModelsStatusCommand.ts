import * as Command from "@effect/cli/Command"
import { withSharedState } from "./SharedState.js"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { UsageError } from "../domain/Errors.js"
import { checkExitCode } from "../domain/Status.js"
import { escapeControl as esc } from "../domain/Untrusted.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { normalizeProvider } from "../domain/Provider.js"
import type { AuthContext } from "../programs/AuthContext.js"
import { modelsStatus } from "../programs/ModelsStatus.js"
import type { ProbeRow } from "../programs/Probe.js"
import { HostProcess } from "../services/HostProcess.js"
import { ExitCode } from "./ExitCode.js"
import { renderStatusText } from "./render/StatusText.js"
import { colorEnabled, makeStyle } from "./render/Style.js"
import { agentOption, jsonOption } from "./SharedOptions.js"
import { printJson } from "./render/JsonOutput.js"

const plain = Options.boolean("plain").pipe(Options.withDescription("Print only the resolved default model."))
const check = Options.boolean("check").pipe(
  Options.withDescription(
    "Exit 1 if a token/OAuth profile is expired or has no known expiry, or a provider in use has no credential; exit 2 if one expires within 24h; else 0. Works with every output mode."
  )
)

const list = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.repeated)
const probe = {
  probe: Options.boolean("probe").pipe(Options.withDescription("Send one tiny live request per profile and show the result.")),
  probeProvider: list("probe-provider", "Only probe these providers (repeatable, or a comma list)."),
  probeProfile: list("probe-profile", "Only probe these profile ids (repeatable, or a comma list)."),
  probeTimeout: Options.integer("probe-timeout").pipe(Options.withDescription("Per-request timeout in ms."), Options.withDefault(8000)),
  probeConcurrency: Options.integer("probe-concurrency").pipe(Options.withDescription("Requests in flight at once."), Options.withDefault(2)),
  probeMaxTokens: Options.integer("probe-max-tokens").pipe(Options.withDescription("max_tokens of each probe request."), Options.withDefault(8))
}

const splitList = (values: ReadonlyArray<string>) => values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "")

const probeStart = (timeoutMs: number, concurrency: number) => (total: number) =>
  Console.error(`probing ${total} profile${total === 1 ? "" : "s"}, ${Math.min(concurrency, total)} at a time (each waits up to ${timeoutMs / 1000}s)…`)

const probeProgress = (row: ProbeRow, finished: number, total: number) =>
  Console.error(`probe ${finished}/${total}: ${esc(row.profileId)} ${row.status}${row.latencyMs === null ? "" : ` ${row.latencyMs} ms`}`)

const renderProbe = (rows: ReadonlyArray<ProbeRow>): string => {
  if (rows.length === 0) return "Probe\n  (no profiles to probe)"
  // The detail quotes the provider's answer, the ids the store (§11): escaped before the widths are measured.
  const table = rows.map((r) => [r.model ?? "-", r.profileId, r.status, r.latencyMs === null ? "-" : `${r.latencyMs}ms`, r.detail].map(esc))
  const widths = table.reduce((w, row) => row.map((c, i) => Math.max(w[i] ?? 0, c.length)), [5, 7, 6, 7, 0])
  const line = (cells: ReadonlyArray<string>) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")}`.trimEnd()
  return ["Probe", line(["model", "profile", "status", "latency", "detail"]), ...table.map(line)].join("\n")
}

/** Numbers a probe cannot run with are refused, not taken (a timeout of -5 ms probes nothing and says all is well). */
const probeRanges = (opts: { readonly probeTimeout: number; readonly probeConcurrency: number; readonly probeMaxTokens: number }) => {
  const bad = (flag: string, value: number, range: string, example: string) =>
    new UsageError({ problem: `${flag} ${value} is out of range (${range})`, fix: `for example ${flag} ${example}` })
  if (opts.probeTimeout < 1 || opts.probeTimeout > 600_000) return Effect.fail(bad("--probe-timeout", opts.probeTimeout, "1 to 600000 ms", "8000"))
  if (opts.probeConcurrency < 1 || opts.probeConcurrency > 64) return Effect.fail(bad("--probe-concurrency", opts.probeConcurrency, "1 to 64", "2"))
  if (opts.probeMaxTokens < 1 || opts.probeMaxTokens > 4096) return Effect.fail(bad("--probe-max-tokens", opts.probeMaxTokens, "1 to 4096", "8"))
  return Effect.void
}

/** A provider or profile to probe that the agent does not have is a typo, not "no profiles to probe". */
const probeNames = (ctx: AuthContext, providers: ReadonlyArray<string>, profiles: ReadonlyArray<string>) => {
  const stored = ctx.store.store.profiles
  const known = new Set<string>([...stored.values()].map((c) => c.provider))
  for (const p of Object.keys(ctx.config.models?.providers ?? {})) known.add(normalizeProvider(p))
  const provider = providers.find((p) => !known.has(normalizeProvider(p)))
  if (provider !== undefined) {
    return Effect.fail(
      new UsageError({ problem: `--probe-provider ${esc(provider)} is not a provider of agent ${ctx.agent.agentId}`, fix: `pass one of: ${[...known].sort().join(", ") || "(none: store a credential first)"}` })
    )
  }
  const profile = profiles.find((p) => !stored.has(p as ProfileId))
  if (profile !== undefined) {
    return Effect.fail(new UsageError({ problem: `--probe-profile ${esc(profile)} is not a profile of agent ${ctx.agent.agentId}`, fix: "see `openclaw models auth list` for the profile ids" }))
  }
  return Effect.void
}

export const modelsStatusCommand = Command.make(
  "status",
  { json: jsonOption, plain, check, agent: agentOption, ...probe },
  (opts) =>
    Effect.gen(function* () {
      if (opts.json && opts.plain) {
        return yield* new UsageError({ problem: "--json and --plain cannot be used together", fix: "pass only one of them" })
      }
      if (opts.probe) yield* probeRanges(opts)
      const { report, configExists, stateEnvPath, ctx } = yield* modelsStatus(Option.getOrUndefined(opts.agent))
      if (opts.probe) yield* probeNames(ctx, splitList(opts.probeProvider), splitList(opts.probeProfile))
      const showProgress = (yield* HostProcess).stderrIsTTY && !opts.json && !opts.plain
      const probed = opts.probe
        ? yield* Effect.flatMap(Effect.promise(() => import("../programs/Probe.js")), ({ probeProfiles }) => probeProfiles(ctx, {
            providers: splitList(opts.probeProvider),
            profiles: splitList(opts.probeProfile),
            timeoutMs: opts.probeTimeout,
            concurrency: opts.probeConcurrency,
            maxTokens: opts.probeMaxTokens,
            // Probes can take seconds each: on a terminal, a line per finished one on stderr (§6), not in --json.
            ...(showProgress ? { onStart: probeStart(opts.probeTimeout, opts.probeConcurrency), onFinished: probeProgress } : {})
          }))
        : undefined
      if (opts.json) yield* printJson(probed ? { ...report, probe: probed } : report)
      else if (opts.plain) {
        yield* Console.log(esc(report.defaultModel))
        for (const s of report.auth.skippedProfiles) {
          yield* Console.error(`warning: ${esc(report.auth.storePath)}: skipped profile ${esc(s.profileId)}: ${esc(s.reason)}`)
        }
        for (const f of report.auth.flaggedProfiles) {
          yield* Console.error(`warning: ${esc(report.auth.storePath)}: profile ${esc(f.profileId)}: ${esc(f.reason)}; fix: ${esc(f.fix)}`)
        }
      } else {
        const host = yield* HostProcess
        const style = makeStyle(colorEnabled(host.stdoutIsTTY, host.vars))
        yield* Console.log(renderStatusText(report, { configExists, stateEnvPath }, style))
        if (probed) yield* Console.log(`\n${renderProbe(probed)}`)
      }
      if (opts.check) yield* Ref.set(yield* ExitCode, checkExitCode(report))
    })
).pipe(
  withSharedState,
  Command.withDescription(
    "Show which credential each provider uses, where it comes from, and what is expiring (for cron: --check)."
  )
)
