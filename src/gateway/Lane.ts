import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { ProviderAuth } from "../domain/Chat.js"
import { userText } from "../domain/chat/Codec.js"
import { modelCandidates } from "../domain/Candidates.js"
import { formatModelRef } from "../domain/Config.js"
import { parseModelDirective } from "../domain/ModelDirective.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { providerAuth, providerTarget } from "../domain/ProviderTarget.js"
import { resolveCredential } from "../domain/Resolve.js"
import { recordInBackground, type TriedFirst } from "../programs/ChatTurn.js"
import { lateFailure, lateFailureWithoutProfile, useRecord } from "../programs/Failover.js"
import { usageTarget } from "../programs/UsageView.js"
import type { StoreDocument } from "../services/ProfileStore.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import type { Forwarded, ProviderClientShape, PushedEvents } from "../services/ProviderClient.js"
import type { UsageStateShape } from "../services/UsageState.js"
import { type BodyProblem, parseJson, readBodyNow } from "./Body.js"
import { accessLine, agentForTarget, type ChatLog, clientText, logServed, servedHeaders, sessionKeyOf } from "./ChatRoute.js"
import { relayPushed, type RunOnRuntime } from "./LaneStream.js"
import { chatRouting, errorBody, sseData } from "./OpenAiWire.js"
import type { ProviderTimeouts } from "./Options.js"
import { bodyForModel, type ClientBody, lastUserText } from "./Passthrough.js"
import { requestHeader as header } from "./Headers.js"
import { startEvents, writeWhole } from "./Respond.js"
import type { GatewaySnapshot } from "./Snapshot.js"

/**
 * The lane for the plainest chat request, and the most common one (issue 16, §8.4): OpenAI's Chat Completions, whole
 * or streamed, for the agent's own model on a provider of the same shape, with no session, no model header and no
 * chat command. Such a request is served without a fiber, by the same parts the fiber's path uses: the body read and
 * checked (./Body.ts), the choice (domain/Candidates), the provider client's `forwardNow` (limits, deadlines,
 * classification, scrubbing; a stream relayed by the same reader, pushed: services/providers/pump.ts), the headers,
 * the access-log line and the stream's closing error event of ./ChatRoute.ts; a success's usage record and a broken
 * stream's failure record are Failover's programs, run on the gateway's runtime as the chat turn runs them.
 *
 * Everything else goes to the fiber's path (./Http.ts `serve`) — a refusal, a provider's failure, a credential to
 * refresh, a backend that must be asked (Redis) — handed what the lane did: the body it read and, after a failed
 * call, that attempt (programs/ChatTurn `triedFirst`), which the failover records and goes on from. So a request
 * is never read or sent twice, and what it gets is what the fiber's path would have given.
 */

export interface LaneServices {
  readonly usage: UsageStateShape
  readonly client: ProviderClientShape
  readonly timeouts: ProviderTimeouts
  readonly maxBodyBytes: number
  /** The runtime's clock (a TestClock in tests). */
  readonly now: () => number
  /** The request's access-log line (info level, annotated as one), through the gateway's logger. */
  readonly logAccess: (message: string) => void
  /** Whether the lane served a request or handed it over, and why (debug level: nothing is built above it). */
  readonly logDebug: (message: () => string) => void
  /** Runs an effect on the gateway's runtime, in the background; `then` when it is done. */
  readonly run: RunOnRuntime
  readonly storeWritten: (doc: StoreDocument) => Effect.Effect<void>
}

/** What the fiber's path takes over with. */
export interface Handover {
  /** When the request arrived (for the access log's time). */
  readonly started: number
  /**
   * The snapshot the lane checked access and chose on: the fiber's path serves from it too, without checking access
   * again, so a failover after the lane's attempt chooses as the lane did (the same order, at the lane's time).
   */
  readonly snapshot?: GatewaySnapshot
  /** The body as read, or why it could not be. */
  readonly body?: Either.Either<string, BodyProblem>
  readonly triedFirst?: TriedFirst
  /** The lane threw: the fiber's path answers it as the internal error it is. */
  readonly defect?: unknown
}

export interface LaneRequest {
  readonly request: IncomingMessage
  readonly res: ServerResponse
  readonly path: string
  /** The snapshot, fresh (no store changed on disk), and the access checks passed on it. */
  readonly snapshot: GatewaySnapshot
  readonly address: string
  readonly started: number
  readonly handover: (h: Handover) => void
}

/** Serves `r` or hands it over; the returned function stops the provider call (the client hung up). */
export const runLane = (services: LaneServices, r: LaneRequest): (() => void) => {
  let abort: (() => void) | undefined
  let stopped = false
  const guard = (f: () => void) => {
    try {
      f()
    } catch (defect) {
      abort?.()
      r.handover({ started: r.started, defect })
    }
  }
  guard(() =>
    readBodyNow(r.request, services.maxBodyBytes, (read) =>
      guard(() => {
        if (stopped) return
        const call = Either.isRight(read) ? plan(services, r, read.right) : "the body could not be read"
        const handover = (why: string, triedFirst?: TriedFirst) => {
          services.logDebug(() => `lane: handed over (${why})`)
          r.handover({ started: r.started, snapshot: r.snapshot, body: read, ...(triedFirst ? { triedFirst } : {}) })
        }
        if (typeof call === "string") return handover(call)
        const timeoutMs = call.request.stream ? services.timeouts.streamIdleMs : services.timeouts.completeMs
        abort = services.client.forwardNow?.(call.target, call.auth, call.request, timeoutMs, (outcome) =>
          guard(() => {
            if (Either.isLeft(outcome)) return handover("the provider failed", { model: call.model, profileId: call.profileId, at: call.calledAt, error: outcome.left })
            services.logDebug(() => "lane: served")
            const stopStream = answered(services, r, call, outcome.right)
            if (stopStream !== undefined) abort = stopStream
          })
        )
        if (abort === undefined) handover("the provider client cannot call without a fiber yet")
      })
    )
  )
  return () => {
    stopped = true
    abort?.()
  }
}

type Call = Exclude<ReturnType<typeof plan>, string>

/** The request's one provider call, when the lane can serve it; else why it is handed over. */
const plan = (services: LaneServices, r: LaneRequest, text: string) => {
  const parsed = parseJson(text)
  if (Either.isLeft(parsed)) return "the body is not JSON"
  const json = parsed.right
  const routing = chatRouting(json)
  if (Either.isLeft(routing)) return "the body is not a chat completion request"
  const { snapshot } = r
  const agentId = agentForTarget(routing.right.model, snapshot)
  const loaded = agentId === undefined ? undefined : snapshot.agents.get(agentId)
  if (agentId === undefined || loaded === undefined) return "no such agent loaded"
  // A session, a model chosen by header, a chat command: the chat turn's own business.
  if (sessionKeyOf(header(r.request, "x-openclaw-session-key"), routing.right.user) !== undefined) return "a session"
  if (header(r.request, "x-openclaw-model") !== undefined) return "a model header"
  const body: ClientBody = { text, json: json as Record<string, unknown>, messages: routing.right.messages, userText, stream: routing.right.stream }
  const last = lastUserText(body)
  if (last !== undefined && parseModelDirective(last) !== undefined) return "a chat command"
  const viewNow = services.usage.viewNow
  if (viewNow === undefined) return "the usage state must be asked for"
  const store = viewNow(usageTarget(loaded), loaded.store).store
  const { config } = loaded
  const model = loaded.models.primary
  const target = providerTarget(config, model.provider)
  if (target?.api !== "openai-completions") return "a provider of another shape"
  const now = services.now()
  let auth: ProviderAuth
  let profileId: ProfileId | undefined
  const choice = modelCandidates(store, config, model.provider, undefined, now)
  if (choice.order.candidates.length === 0) {
    const resolved = resolveCredential({ store, config, env: loaded.env.vars, now }, model.provider)
    if (Either.isLeft(resolved)) return "no credential"
    auth = providerAuth(resolved.right)
  } else {
    profileId = choice.candidates[0]
    const stored = profileId === undefined ? undefined : store.profiles.get(profileId)
    // Every profile cooling down, or one to refresh first (§7).
    if (profileId === undefined || stored === undefined) return "every profile is out of use"
    if (stored.type === "oauth") return "an OAuth profile"
    auth = providerAuth({ kind: "profile", profileId, credential: stored })
  }
  return {
    agentId,
    ctx: loaded,
    store,
    model: formatModelRef(model),
    provider: model.provider,
    profileId,
    calledAt: now,
    target,
    auth,
    json,
    request: { endpoint: "chat" as const, body: bodyForModel(body)(model.model), stream: body.stream, headers: {}, betaEndpoint: false },
    text
  }
}

/**
 * The provider answered: its bytes to the client with the route's headers — a whole answer, or a stream relayed as
 * it arrives (the stream's stop is returned) — and the access-log line and the usage record, as ./ChatRoute.ts and
 * ./Respond.ts do it. The bookkeeping runs after the answer's first bytes are written, not before them: a whole
 * answer's while it travels, a stream's once its first chunk is out (or it ended, failed or stopped without one),
 * before a failure after that is recorded over it (`recordLate`) — and always before the loop takes the client's
 * next request.
 */
const answered = (services: LaneServices, r: LaneRequest, call: Call, answer: Extract<Forwarded, { _tag: "body" }> | PushedEvents): (() => void) | undefined => {
  const { snapshot, res } = r
  const served = { profileId: call.profileId, attempts: [{ model: call.model, provider: call.provider, profileId: call.profileId, outcome: "ok" as const }] }
  const known = clientText({ text: call.text, json: call.json, modelHeader: undefined, sessionKeyHeader: undefined })
  const headers = servedHeaders(served, call.model, snapshot.secrets, known)
  const now = services.now()
  const bookkeeping = () => {
    const log: ChatLog = { agent: call.agentId }
    logServed(served, redactSecrets(call.model, snapshot.secrets), log)
    services.logAccess(accessLine(r.request.method ?? "POST", r.path, answer._tag === "push" ? 200 : answer.status, now - r.started, r.address, log))
    if (call.profileId === undefined) return
    const record = useRecord({
      usage: services.usage,
      target: usageTarget(call.ctx),
      store: call.store,
      provider: call.provider,
      profileId: call.profileId,
      calledAt: call.calledAt,
      answeredAt: now,
      written: services.storeWritten
    })
    if (record !== Effect.void) services.run(recordInBackground(call.profileId, record))
  }
  if (answer._tag === "body") {
    // The provider was paid for even if the write throws: the record and the line are kept either way.
    try {
      writeWhole(res, answer.status, answer.contentType, answer.body, headers)
    } finally {
      bookkeeping()
    }
    return undefined
  }
  startEvents(res, headers)
  // A failure after the first byte is recorded first as the serving profile's failure (Failover `lateFailure`).
  const recordLate =
    call.profileId === undefined ? lateFailureWithoutProfile(call.model) : lateFailure(call.ctx, services.storeWritten, call.profileId, call.provider)
  return relayPushed(res, answer, {
    run: services.run,
    started: bookkeeping,
    recordLate,
    errorEvent: (reason, problem) => sseData(errorBody(redactSecrets(`The provider failed mid-answer: ${problem}`, snapshot.secrets, known), reason)),
    secrets: snapshot.secrets
  })
}
