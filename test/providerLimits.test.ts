/**
 * §8.6 in the provider client: answers are read up to a cap, stream parsing is linear whatever the line lengths, a
 * stream that sends no event is cut, and a caller that goes away closes its provider request at once.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import type { ProviderAuth, ProviderTarget } from "../src/domain/Chat.js"
import { type ChatRequest, textOf } from "../src/domain/chat/Model.js"
import { decodeConfig } from "../src/domain/Config.js"
import { classifyFailure } from "../src/domain/Failure.js"
import type { ProviderId } from "../src/domain/Provider.js"
import { DEFAULT_MAX_PROVIDER_BODY_BYTES, providerTarget } from "../src/domain/ProviderTarget.js"
import { ProviderClient } from "../src/services/ProviderClient.js"
import { ProviderClientLive } from "../src/services/ProviderClientLive.js"
import { SseParser, SseTooLarge } from "../src/services/providers/sse.js"
import { type HostileProvider, hostileProvider, type Mode, modes } from "./support/hostileProvider.js"
import { scaled } from "./support/Timing.js"

const MB = 1024 * 1024
const LIMIT = 1 * MB
const NO_AUTH: ProviderAuth = { kind: "none", secret: undefined }
const ASK: ChatRequest = { model: "m", messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }], stream: false }

const targetFor = (hostile: HostileProvider, mode: Mode, api: ProviderTarget["api"] = "openai-completions"): ProviderTarget => ({
  provider: (api === "anthropic-messages" ? "anthropic" : "openai") as ProviderId,
  api,
  baseUrl: hostile.baseUrl(mode),
  headers: {},
  maxBodyBytes: LIMIT
})

const setup = Effect.gen(function* () {
  const hostile = yield* hostileProvider
  const client = yield* ProviderClient
  return { hostile, client }
})

/** The provider saw every connection close. */
const allClosed = (hostile: HostileProvider) => Effect.promise(() => hostile.waitFor((h) => h.open === 0, scaled(10_000), "the provider's connections to close"))

describe("provider answers are read up to a cap (§8.6)", () => {
  it.scoped("a success body past the limit fails as format, names the setting, and closes the connection (both shapes)", () =>
    Effect.gen(function* () {
      const { hostile, client } = yield* setup
      for (const api of ["anthropic-messages", "openai-completions"] as const) {
        // 600 MB: past the longest string V8 can make, which used to end the process.
        const error = yield* Effect.flip(client.complete(targetFor(hostile, modes.hugeBody({ bytes: 600 * MB }), api), NO_AUTH, ASK, 60_000))
        expect(error).toMatchObject({ kind: "format" })
        expect(error.detail).toContain(`${LIMIT} bytes (gateway.limits.maxProviderBodyBytes)`)
        expect(classifyFailure(error)).toMatchObject({ reason: "format", failover: false })
        expect(classifyFailure(error).hint).toContain("gateway.limits.maxProviderBodyBytes")
      }
      yield* allClosed(hostile)
    }).pipe(Effect.provide(ProviderClientLive))
  )

  it.scoped("a declared Content-Length past the limit fails before the body is read; a body just under it is served", () =>
    Effect.gen(function* () {
      const { hostile, client } = yield* setup
      const declared = yield* Effect.flip(client.complete(targetFor(hostile, modes.hugeBody({ bytes: 600 * MB, declareLength: true })), NO_AUTH, ASK, 60_000))
      expect(declared).toMatchObject({ kind: "format" })
      const fits = yield* client.complete(targetFor(hostile, modes.hugeBody({ bytes: LIMIT - 1 })), NO_AUTH, ASK, 60_000)
      expect(textOf(fits.parts).length).toBeGreaterThan(LIMIT - 300)
      yield* allClosed(hostile)
    }).pipe(Effect.provide(ProviderClientLive))
  )

  it.scoped("an error body of 600 MB keeps its status; its message is cut short and the rest is never read", () =>
    Effect.gen(function* () {
      const { hostile, client } = yield* setup
      for (const status of [500, 429]) {
        const error = yield* Effect.flip(client.complete(targetFor(hostile, modes.hugeBody({ bytes: 600 * MB, status })), NO_AUTH, ASK, 60_000))
        // The body's JSON was cut at 64 KiB, so the status text stands in for the provider's message.
        expect(error).toMatchObject({ kind: "http", status })
        expect(error.detail.length).toBeLessThan(600)
      }
      // A streaming request answered with such an error fails the same way, before any chunk.
      const streamed = yield* Effect.flip(client.stream(targetFor(hostile, modes.hugeBody({ bytes: 600 * MB, status: 503 })), NO_AUTH, ASK, 60_000))
      expect(streamed).toMatchObject({ kind: "http", status: 503 })
      yield* allClosed(hostile)
    }).pipe(Effect.provide(ProviderClientLive))
  )

  it.scoped("a stream of 40 MB without a newline fails as format once one event passes the limit", () =>
    Effect.gen(function* () {
      const { hostile, client } = yield* setup
      const stream = yield* client.stream(targetFor(hostile, modes.noNewlines({ bytes: 40 * MB }), "anthropic-messages"), NO_AUTH, ASK, 60_000)
      const error = yield* Effect.flip(Stream.runDrain(stream))
      expect(error).toMatchObject({ kind: "format" })
      expect(error.detail).toContain("one event of the stream is larger than")
      yield* allClosed(hostile)
    }).pipe(Effect.provide(ProviderClientLive))
  )

  it.scoped("a stream that drips bytes (or comments) but never an event is cut by the idle deadline", () =>
    Effect.gen(function* () {
      const { hostile, client } = yield* setup
      for (const piece of ["x", ": keep-alive\n\n"]) {
        const stream = yield* client.stream(targetFor(hostile, modes.drip({ intervalMs: 20, piece })), NO_AUTH, ASK, 500)
        const error = yield* Effect.flip(Stream.runDrain(stream))
        expect(error).toMatchObject({ kind: "timeout" })
      }
      yield* allClosed(hostile)
    }).pipe(Effect.provide(ProviderClientLive))
  )
})

describe("a caller that goes away closes its provider request (§8.6)", () => {
  it.scoped("interrupting a call closes the connection at once, even inside an uninterruptible region", () =>
    Effect.gen(function* () {
      const { hostile, client } = yield* setup
      // The HTTP platform runs every handler uninterruptibly: this is where the gateway's calls run.
      const fiber = yield* Effect.forkDaemon(Effect.uninterruptible(client.complete(targetFor(hostile, modes.hold()), NO_AUTH, ASK, 60_000)))
      yield* Effect.promise(() => hostile.waitFor((h) => h.open === 1))
      yield* Fiber.interruptFork(fiber)
      yield* allClosed(hostile)
    }).pipe(Effect.provide(ProviderClientLive))
  )

  it.scoped("a stream's request is closed with its scope, even when the stream was never run", () =>
    Effect.gen(function* () {
      const { hostile, client } = yield* setup
      const target = targetFor(hostile, modes.hold())
      yield* Effect.scoped(client.stream(target, NO_AUTH, { ...ASK }, 60_000))
      yield* allClosed(hostile)
      expect(hostile.received).toBe(1)
    }).pipe(Effect.provide(ProviderClientLive))
  )
})

describe("the SSE parser is linear and bounded (§8.6)", () => {
  it("takes 16 MB without a newline in 64 KiB pieces in linear time", () => {
    const piece = "x".repeat(64 * 1024)
    const parser = new SseParser()
    const started = performance.now()
    parser.push("data: ")
    for (let i = 0; i < 256; i++) expect(parser.push(piece)).toEqual([])
    const events = parser.end("\n\n")
    const ms = performance.now() - started
    expect(events).toHaveLength(1)
    expect(events[0]!.data.length).toBe(256 * piece.length)
    // Linear: tens of ms on a quiet machine. Rescanning the whole buffer on every push took over a minute.
    expect(ms).toBeLessThan(scaled(5_000))
  })

  it("fails with SseTooLarge once a line or one event's data passes the limit; smaller ones pass", () => {
    expect(() => new SseParser(1000).push("data: " + "x".repeat(1001))).toThrow(SseTooLarge)
    const many = new SseParser(1000)
    expect(() => {
      for (let i = 0; i < 20; i++) many.push(`data: ${"y".repeat(99)}\n`)
    }).toThrow(SseTooLarge)
    const fits = new SseParser(1000)
    expect(fits.push(`data: ${"z".repeat(900)}\n\n`)).toEqual([{ event: "message", data: "z".repeat(900) }])
    // The limit is per event: many events of any total size pass.
    for (let i = 0; i < 50; i++) expect(fits.push(`data: ${"z".repeat(100)}\n\n`)).toHaveLength(1)
  })
})

describe("gateway.limits.maxProviderBodyBytes (§8.6)", () => {
  it("is read from the config (other limits kept), defaults to 32 MiB, and must be a positive integer", () => {
    const withLimit = decodeConfig({ gateway: { limits: { maxProviderBodyBytes: 2 * MB, maxSomethingElse: 7 } } })
    expect(Either.isRight(withLimit)).toBe(true)
    const config = Either.getOrThrow(withLimit)
    expect(config.gateway?.limits).toEqual({ maxProviderBodyBytes: 2 * MB, maxSomethingElse: 7 })
    expect(providerTarget(config, "anthropic" as ProviderId)?.maxBodyBytes).toBe(2 * MB)
    expect(providerTarget(Either.getOrThrow(decodeConfig({})), "openai" as ProviderId)?.maxBodyBytes).toBe(DEFAULT_MAX_PROVIDER_BODY_BYTES)
    expect(DEFAULT_MAX_PROVIDER_BODY_BYTES).toBe(32 * MB)
    for (const bad of [0, -1, 1.5, "32MB"]) {
      expect(Either.isLeft(decodeConfig({ gateway: { limits: { maxProviderBodyBytes: bad } } }))).toBe(true)
    }
  })
})
