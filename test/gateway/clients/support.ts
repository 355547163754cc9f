/**
 * For the real-client tests (issue #13): one in-process gateway per file over a home whose fake provider speaks
 * both shapes, the official `openai` and `@anthropic-ai/sdk` clients pointed at it, and a tap on the clients'
 * fetch that keeps the exact bytes they sent and received.
 */
import Anthropic from "@anthropic-ai/sdk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import OpenAI from "openai"
import { afterAll, beforeAll } from "vitest"
import { scaled } from "../../support/Timing.js"
import { GATEWAY_TOKEN, type GatewayHome, type GatewayHomeOptions, gatewayIn, KEYS, type RunningGateway } from "../harness.js"

export const ANTHROPIC_MODEL = "claude-opus-4-6"
export const OPENAI_MODEL = "gpt-4o-mini"

/** Two providers on the one fake, one profile each, no model fallbacks: what answers is what was asked for. */
export const clientsHome = (config: Record<string, unknown> = {}): GatewayHomeOptions => ({
  token: true,
  store: {
    version: 1,
    profiles: {
      "anthropic:a": { type: "api_key", provider: "anthropic", key: KEYS.a },
      "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai }
    }
  },
  config: {
    agents: {
      defaults: {
        model: { primary: `anthropic/${ANTHROPIC_MODEL}`, fallbacks: [] },
        models: { [`anthropic/${ANTHROPIC_MODEL}`]: { alias: "opus" }, [`openai/${OPENAI_MODEL}`]: { alias: "mini" } }
      }
    },
    ...config
  }
})

/** The gateway and its home for every test of the file (started in beforeAll, stopped in afterAll). */
export const sharedGateway = (home: GatewayHomeOptions = clientsHome()): { readonly world: GatewayHome; readonly gw: RunningGateway } => {
  const scope = Effect.runSync(Scope.make())
  let started: { world: GatewayHome; gw: RunningGateway } | undefined
  beforeAll(async () => {
    started = await Effect.runPromise(Scope.extend(gatewayIn(home), scope))
  }, scaled(60_000))
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  return {
    get world() {
      if (started === undefined) throw new Error("the gateway is not started yet")
      return started.world
    },
    get gw() {
      if (started === undefined) throw new Error("the gateway is not started yet")
      return started.gw
    }
  }
}

/** One exchange as the client's fetch saw it. */
export interface Tapped {
  readonly url: string
  readonly requestHeaders: Headers
  readonly requestBody: string
  readonly status: number
  readonly responseHeaders: Headers
  /** Every byte of the response body, once it has ended. */
  readonly responseText: Promise<string>
}

/** A fetch for the SDKs that records what went out and what came back, without changing either. */
export const tap = (): { readonly fetch: typeof fetch; readonly exchanges: Array<Tapped> } => {
  const exchanges: Array<Tapped> = []
  const tapped: typeof fetch = async (input, init) => {
    const requestBody = typeof init?.body === "string" ? init.body : ""
    const requestHeaders = new Headers(init?.headers)
    const res = await fetch(input, init)
    if (res.body === null) {
      exchanges.push({ url: String(input), requestHeaders, requestBody, status: res.status, responseHeaders: res.headers, responseText: Promise.resolve("") })
      return res
    }
    const [forClient, forTap] = res.body.tee()
    exchanges.push({ url: String(input), requestHeaders, requestBody, status: res.status, responseHeaders: res.headers, responseText: new Response(forTap).text() })
    return new Response(forClient, { status: res.status, statusText: res.statusText, headers: res.headers })
  }
  return { fetch: tapped, exchanges }
}

export interface ClientOptions {
  readonly headers?: Record<string, string>
  readonly fetch?: typeof fetch
  /** Default 0: a test that wants the SDK's own retries says so. */
  readonly maxRetries?: number
}

export const openaiClient = (gw: RunningGateway, o: ClientOptions = {}): OpenAI =>
  new OpenAI({
    baseURL: `${gw.url}/v1`,
    apiKey: GATEWAY_TOKEN,
    maxRetries: o.maxRetries ?? 0,
    timeout: scaled(20_000),
    defaultHeaders: o.headers ?? {},
    ...(o.fetch ? { fetch: o.fetch } : {})
  })

/** `apiKey` travels as `Authorization: Bearer` in @anthropic-ai/sdk 1.x (Claude Code sends `x-api-key`). */
export const anthropicClient = (gw: RunningGateway, o: ClientOptions = {}): Anthropic =>
  new Anthropic({
    baseURL: gw.url,
    apiKey: GATEWAY_TOKEN,
    maxRetries: o.maxRetries ?? 0,
    timeout: scaled(20_000),
    defaultHeaders: o.headers ?? {},
    ...(o.fetch ? { fetch: o.fetch } : {})
  })

/** The events of an SSE body: comments dropped, each `data` kept as sent. */
export const sseEvents = (text: string): Array<{ readonly event: string | undefined; readonly data: string }> =>
  text
    .replace(/\r\n/g, "\n")
    .split("\n\n")
    .map((frame) => {
      let event: string | undefined
      const data: Array<string> = []
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim()
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""))
      }
      return data.length === 0 ? undefined : { event, data: data.join("\n") }
    })
    .filter((e) => e !== undefined)

/** The client's JSON body with only `model` changed: what a same-shape provider must receive, byte for byte. */
export const withModel = (raw: string, from: string, to: string): string => {
  const needle = `"model":${JSON.stringify(from)}`
  if (raw.split(needle).length !== 2) throw new Error(`expected exactly one ${needle} in the client's body`)
  return raw.replace(needle, `"model":${JSON.stringify(to)}`)
}
