import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { describeExpiry, expiryLabel, formatDuration, type ExpiryStatus } from "../../domain/Expiry.js"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import { clearCooldowns, listProfiles, logout } from "../../programs/AuthMaintenance.js"
import { agentOption, jsonOption } from "../SharedOptions.js"
import { commandGroup } from "../help/HelpRequested.js"
import { withSharedState } from "../SharedState.js"
import { printJson } from "../render/JsonOutput.js"

export const listCommand = Command.make("list", { agent: agentOption, json: jsonOption }, (o) =>
  Effect.gen(function* () {
    const list = yield* listProfiles(Option.getOrUndefined(o.agent))
    if (o.json) return yield* printJson(list)
    const lines = [`Agent: ${esc(list.agentId)}`, `Auth file: ${esc(list.storePath)}`]
    if (list.profiles.length === 0) lines.push("(no profiles)")
    // Every cell may quote the store (ids, emails, disabled reasons): escaped before the widths are measured (§11).
    const rows = list.profiles.map((p) => [
      p.profileId,
      p.type,
      p.secret + (p.refResolved === false ? " (unresolved)" : "") + (p.email ? ` (${p.email})` : ""),
      `${expiryLabel(p.status as ExpiryStatus)}${p.status === "static" ? "" : `, ${describeExpiry({ status: p.status as ExpiryStatus, ...(p.remainingMs === null ? {} : { remainingMs: p.remainingMs }) })}`}`,
      p.unavailable ? `${p.unavailable.reason} ${formatDuration(p.unavailable.until - list.now)}` : ""
    ].map(esc))
    const widths = rows.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), [] as Array<number>)
    for (const r of rows) lines.push(r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd())
    for (const s of list.skipped) lines.push(`skipped ${esc(s.profileId)}: ${esc(s.reason)}`)
    yield* Console.log(lines.join("\n"))
  })
).pipe(withSharedState, Command.withDescription("List this agent's stored profiles: id, type, masked secret (or the secret reference it comes from), expiry and cooldown."))

const profileIdOption = Options.text("profile-id").pipe(Options.withDescription("The profile to remove, e.g. anthropic:work."))

export const logoutCommand = Command.make("logout", { profileId: profileIdOption, agent: agentOption }, (o) =>
  Effect.flatMap(logout(o.profileId, Option.getOrUndefined(o.agent)), (r) =>
    Console.log(`Removed auth profile ${esc(r.profileId)} from ${esc(r.storePath)}.`)
  )
).pipe(Command.withDescription("Remove a profile and every reference to it (order, lastGood, usage stats, config)."))

const clear = Command.make(
  "clear",
  {
    provider: Options.text("provider").pipe(Options.withDescription("Only this provider's profiles."), Options.optional),
    profileId: Options.text("profile-id").pipe(Options.withDescription("Only this profile."), Options.optional),
    agent: agentOption
  },
  (o) =>
    Effect.flatMap(
      clearCooldowns(
        { provider: Option.getOrUndefined(o.provider), profileId: Option.getOrUndefined(o.profileId) },
        Option.getOrUndefined(o.agent)
      ),
      (r) => Console.log(r.cleared.length === 0 ? "No cooldowns to clear." : `Cleared cooldowns: ${r.cleared.map(esc).join(", ")}`)
    )
).pipe(withSharedState, Command.withDescription("Lift cooldowns and billing disables now, so the profiles are tried again."))

export const cooldownsCommand = commandGroup("cooldowns").pipe(
  Command.withDescription("Cooldowns set after provider failures."),
  Command.withSubcommands([clear])
)
