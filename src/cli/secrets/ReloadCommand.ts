import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import { loadAuthContext } from "../../programs/AuthContext.js"
import { DEFAULT_GATEWAY_PORT, gatewayAccess } from "../../programs/GatewayAccess.js"
import { ExitCode } from "../ExitCode.js"
import { jsonOption } from "../SharedOptions.js"
import { postToGateway } from "./GatewayCall.js"
import { SecretsReloadError } from "./ReloadError.js"
import { Progress } from "../../services/Progress.js"

const port = Options.integer("port").pipe(
  Options.withDescription(`The gateway's port, when it was started with --port (default: gateway.port from the config, else ${DEFAULT_GATEWAY_PORT}).`),
  Options.optional
)

/** The answer's fields this command reads; anything else in it is ignored. */
interface Answer {
  readonly ok: boolean
  readonly generation: number
  readonly degraded?: boolean
  readonly unresolved: ReadonlyArray<{ readonly location: string; readonly ref: string; readonly reason: string; readonly needed?: boolean }>
  readonly error?: { readonly message?: string }
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const asAnswer = (u: unknown): Answer | undefined =>
  Predicate.isRecord(u) && typeof u.ok === "boolean" && typeof u.generation === "number" && Array.isArray(u.unresolved) ? (u as unknown as Answer) : undefined

/** The message of the gateway's error object (every refusal has one), else the status. */
const errorMessage = (u: unknown, status: number): string => {
  const error = Predicate.isRecord(u) ? u.error : undefined
  return Predicate.isRecord(error) && typeof error.message === "string" ? error.message : `status ${status}`
}

/** A reload asks every exec resolver once; each may take its own timeout. */
const TIMEOUT_MS = 60_000

/**
 * Asks the gateway on this machine to resolve every secret ref again and swap its snapshot (§9). The address and
 * token are the config's (the token may itself be a ref, resolved here as any command resolves refs). The
 * answer is the gateway's; its refusals and a kept old snapshot exit 1.
 */
const reload = (opts: { readonly json: boolean; readonly port: Option.Option<number> }) =>
  Effect.gen(function* () {
    const ctx = yield* loadAuthContext(undefined)
    const url = `http://127.0.0.1:${Option.getOrElse(opts.port, () => ctx.config.gateway?.port ?? DEFAULT_GATEWAY_PORT)}`
    const fail = (kind: SecretsReloadError["kind"], detail: string) => new SecretsReloadError({ kind, url, detail, configPath: ctx.host.configPath })
    const access = gatewayAccess(ctx)
    if (access.unresolved !== undefined) return yield* fail("token-unresolved", access.unresolved.reason)
    const headers: Record<string, string> = { "content-type": "application/json" }
    if (access.token !== undefined) headers.authorization = `Bearer ${Redacted.value(access.token)}`
    // The gateway resolves every ref before it answers (exec providers included): seconds, on a terminal with a line.
    const post = Effect.either(postToGateway(`${url}/v1/secrets/reload`, headers, "{}", TIMEOUT_MS))
    // Not with --json (§6: no progress there), as models status --probe.
    const sent = yield* (opts.json ? post : (yield* Progress).during(`Asking the gateway at ${url} to reload its secrets`, post))
    if (Either.isLeft(sent)) {
      const code = sent.left.code
      return yield* fail(code === "ECONNREFUSED" ? "not-running" : "unreachable", code === "ECONNREFUSED" ? "connection refused" : code)
    }
    const { status, text } = sent.right
    const body = parsed(text)
    if (status === 401 || status === 403 || status === 429) return yield* fail("refused", `${status}: ${errorMessage(body, status)}`)
    const answer = asAnswer(body)
    if (answer === undefined) return yield* fail("bad-answer", `status ${status}, no reload result${status === 404 ? ": it has no /v1/secrets/reload" : ""}`)
    if (opts.json) {
      yield* Console.log(JSON.stringify(answer, null, 2))
      if (!answer.ok) yield* Ref.set(yield* ExitCode, 1)
      return
    }
    const ignored = answer.unresolved.filter((u) => u.needed === false)
    if (!answer.ok) {
      const blocking = answer.unresolved.filter((u) => u.needed !== false)
      const why = blocking.length > 0 ? blocking.map((u) => `${u.location} (${u.ref}): ${u.reason}`).join("; ") : (answer.error?.message ?? `status ${status}`)
      return yield* fail("kept-old", `still generation ${answer.generation}; ${why}`)
    }
    yield* Console.log(`Secrets reloaded: the gateway at ${url} now serves generation ${answer.generation}.`)
    for (const u of ignored) yield* Console.log(`  not needed, unresolved: ${esc(u.location)} (${esc(u.ref)}): ${esc(u.reason)}`)
  })

export const reloadCommand = Command.make("reload", { json: jsonOption, port }, reload).pipe(
  Command.withDescription(
    "Ask the running gateway (POST /v1/secrets/reload on gateway.port, with the gateway token) to resolve every secret reference again and swap them in; if one it needs does not resolve, it keeps its old ones and this exits 1."
  )
)
