import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import { clearProfileOrder, getOrder, type OrderView, setProfileOrder } from "../../programs/AuthOrder.js"
import { agentOption, jsonOption } from "../SharedOptions.js"
import { commandGroup } from "../help/HelpRequested.js"

const provider = Options.text("provider").pipe(Options.withDescription("Provider whose order to show or change."))

const print = (v: OrderView, json: boolean) =>
  json
    ? Console.log(JSON.stringify(v, null, 2))
    : Console.log(
        [
          `Agent: ${esc(v.agentId)}`,
          `Provider: ${esc(v.provider)}`,
          `Auth file: ${esc(v.authFile)}`,
          `Order override: ${v.order === null ? "(none)" : v.order.map(esc).join(", ")}`
        ].join("\n")
      )

const get = Command.make("get", { provider, agent: agentOption, json: jsonOption }, (o) =>
  Effect.flatMap(getOrder(o.provider, Option.getOrUndefined(o.agent)), (v) => print(v, o.json))
).pipe(Command.withDescription("Show this agent's order override for a provider."))

const ids = Args.text({ name: "profile-id" }).pipe(
  Args.withDescription("Profile ids in the order they should be tried."),
  Args.atLeast(1)
)

const set = Command.make("set", { provider, ids, agent: agentOption, json: jsonOption }, (o) =>
  Effect.flatMap(setProfileOrder(o.provider, o.ids, Option.getOrUndefined(o.agent)), (v) => print(v, o.json))
).pipe(Command.withDescription("Set this agent's order override: the profiles are tried in the given order."))

const clear = Command.make("clear", { provider, agent: agentOption }, (o) =>
  // As OpenClaw prints it: which agent and provider, then what was done.
  Effect.flatMap(clearProfileOrder(o.provider, Option.getOrUndefined(o.agent)), (r) =>
    Console.log(
      [
        `Agent: ${esc(r.agentId)}`,
        `Provider: ${esc(r.provider)}`,
        r.hadOverride ? "Cleared per-agent order override." : `No per-agent order override for ${esc(r.provider)}; nothing to clear.`
      ].join("\n")
    )
  )
).pipe(Command.withDescription("Remove this agent's order override (the config order or round-robin applies again)."))

export const orderCommand = commandGroup("order").pipe(
  Command.withDescription("Per-agent order in which a provider's profiles are tried."),
  Command.withSubcommands([get, set, clear])
)
