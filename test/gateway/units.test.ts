import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import type { ProfileId } from "../../src/domain/ProfileId.js"
import * as Deferred from "effect/Deferred"
import { bearerToken, FailureLimiter, isLoopbackHost, tokenMatches } from "../../src/gateway/Access.js"
import { connectionCap } from "../../src/gateway/server.js"
import { Background } from "../../src/services/Background.js"
import { pathVarsOf, renderLaunchdPlist, renderService, renderSystemdUnit } from "../../src/domain/ServiceDefinition.js"
import { chatRouting } from "../../src/gateway/OpenAiWire.js"
import { SessionState } from "../../src/services/SessionState.js"
import { SessionStore, sessionsPath } from "../../src/services/SessionStore.js"
import { MemoryFs } from "../support/MemoryFiles.js"
import { STATE, testServices } from "../support/TestApp.js"

const SESSIONS = sessionsPath(STATE)

describe("SessionStore", () => {
  const withStore = <A, E>(fs: MemoryFs, use: Effect.Effect<A, E, SessionState>, options: Parameters<typeof SessionStore.layer>[0] = {}) =>
    Effect.scoped(Effect.flatMap(Layer.build(SessionStore.layer({ writeDelayMs: 100, ...options })), (ctx) => Effect.provide(use, ctx))).pipe(
      Effect.provide(testServices({ fs }))
    )

  it.effect("coalesces writes after a delay and flushes at shutdown", () => {
    const fs = new MemoryFs()
    return withStore(
      fs,
      Effect.gen(function* () {
        const store = yield* SessionState
        for (let i = 0; i < 20; i++) yield* store.set(`main:s${i}`, { model: "anthropic/x", updatedAt: i })
        expect(fs.read(SESSIONS)).toBeUndefined()
        yield* TestClock.adjust(100)
        yield* Effect.yieldNow()
        expect(Object.keys(JSON.parse(fs.read(SESSIONS)!).sessions)).toHaveLength(20)
        expect(fs.writes).toBe(1)
        yield* store.set("main:last", { userPin: "anthropic:work" as ProfileId, updatedAt: 99 })
      })
    ).pipe(
      Effect.tap(() => expect(JSON.parse(fs.read(SESSIONS)!).sessions["main:last"]).toEqual({ userPin: "anthropic:work", updatedAt: 99 }))
    )
  })

  it.effect("keeps at most maxEntries, forgetting the least recently updated", () => {
    const fs = new MemoryFs()
    return withStore(
      fs,
      Effect.gen(function* () {
        const store = yield* SessionState
        for (let i = 0; i < 10; i++) yield* store.set(`k${i}`, { updatedAt: i })
        yield* store.set("k0", { updatedAt: 10 }) // touched: now the newest
        yield* store.set("k10", { updatedAt: 11 })
        expect(yield* store.size).toBe(5)
        expect(yield* store.get("k0")).toEqual({ updatedAt: 10 })
        expect(yield* store.get("k6")).toBeUndefined()
        expect(yield* store.get("k7")).toEqual({ updatedAt: 7 })
      }),
      { maxEntries: 5 }
    )
  })

  it.effect("an unparseable file is moved aside, never destroyed; bad entries are dropped one by one", () => {
    const fs = new MemoryFs({ [SESSIONS]: "{ not json" })
    return Effect.gen(function* () {
      yield* withStore(fs, Effect.flatMap(SessionState, (s) => s.size).pipe(Effect.tap((n) => expect(n).toBe(0))))
      expect(fs.read(`${SESSIONS}.unreadable`)).toBe("{ not json")
      fs.put(SESSIONS, JSON.stringify({ version: 1, sessions: { good: { updatedAt: 1, model: "m" }, bad: { model: 3 }, worse: 7 } }))
      yield* withStore(
        fs,
        Effect.gen(function* () {
          const store = yield* SessionState
          expect(yield* store.size).toBe(1)
          expect(yield* store.get("good")).toEqual({ model: "m", updatedAt: 1 })
        })
      )
    })
  })

  it.effect("a second unusable file never overwrites the first one's rescued copy (§11)", () => {
    const fs = new MemoryFs({ [SESSIONS]: "{ first" })
    const size = Effect.flatMap(SessionState, (s) => s.size).pipe(Effect.tap((n) => expect(n).toBe(0)))
    return Effect.gen(function* () {
      yield* withStore(fs, size)
      fs.put(SESSIONS, '{"version":1,"sessions":{"k":{"updatedAt":1},"k":{"updatedAt":2}}}')
      yield* withStore(fs, size)
      fs.put(SESSIONS, `{"version":1,"sessions":${"[".repeat(5000)}${"]".repeat(5000)}}`)
      yield* withStore(fs, size)
      expect(fs.read(`${SESSIONS}.unreadable`)).toBe("{ first")
      // Duplicate keys and deep nesting parse, but are not taken as they come: kept aside byte for byte too.
      expect(fs.read(`${SESSIONS}.unreadable.2`)).toBe('{"version":1,"sessions":{"k":{"updatedAt":1},"k":{"updatedAt":2}}}')
      expect(fs.read(`${SESSIONS}.unreadable.3`)?.length).toBe(10_025)
      expect(fs.read(SESSIONS)).toBeUndefined()
    })
  })

  it.effect("merges what another gateway wrote meanwhile, newest wins", () => {
    const fs = new MemoryFs()
    return withStore(
      fs,
      Effect.gen(function* () {
        const store = yield* SessionState
        yield* store.set("mine", { updatedAt: 5 })
        yield* store.set("shared", { model: "ours", updatedAt: 5 })
        fs.put(SESSIONS, JSON.stringify({ version: 1, sessions: { theirs: { updatedAt: 3 }, shared: { model: "theirs", updatedAt: 9 } } }))
        yield* store.flush
        const written = JSON.parse(fs.read(SESSIONS)!).sessions
        expect(Object.keys(written).sort()).toEqual(["mine", "shared", "theirs"])
        expect(written.shared.model).toBe("theirs")
      })
    )
  })
})

describe("gateway access", () => {
  it("matches the whole token only, whatever the lengths", () => {
    expect(tokenMatches("secret-token-123", "secret-token-123")).toBe(true)
    expect(tokenMatches("secret-token-123", "secret-token-124")).toBe(false)
    expect(tokenMatches("secret-token-123", "s")).toBe(false)
    expect(tokenMatches("secret-token-123", "")).toBe(false)
    // The token with more after it, a prefix of it, the padding's own byte: each is another token.
    expect(tokenMatches("secret-token-123", "secret-token-1234")).toBe(false)
    expect(tokenMatches("secret-token-123", "secret-token-12")).toBe(false)
    expect(tokenMatches("secret-token-123", "secret-token-12\0")).toBe(false)
    expect(tokenMatches("secret-token-12\0", "secret-token-12")).toBe(false)
    // Characters of more than one byte: compared as their UTF-8 bytes, cut only between characters.
    expect(tokenMatches("tøken-ünïcode-1", "tøken-ünïcode-1")).toBe(true)
    expect(tokenMatches("tøken-ünïcode-1", "tøken-ünïcode-2")).toBe(false)
    expect(tokenMatches("abc", "abø")).toBe(false)
    // "ø" does not fit in the last byte: the bytes compared match ("ab" and the padding), the lengths do not.
    expect(tokenMatches("ab\0", "abø")).toBe(false)
    // Another configured token takes the place of the first (a reload), and back.
    expect(tokenMatches("other-token-456", "secret-token-123")).toBe(false)
    expect(tokenMatches("other-token-456", "other-token-456")).toBe(true)
    expect(tokenMatches("secret-token-123", "secret-token-123")).toBe(true)
  })

  it("reads only the Bearer scheme", () => {
    expect(bearerToken("Bearer abc")).toBe("abc")
    expect(bearerToken("bearer   abc  ")).toBe("abc")
    expect(bearerToken("Basic abc")).toBeUndefined()
    expect(bearerToken("Bearer a b")).toBeUndefined()
    expect(bearerToken(undefined)).toBeUndefined()
  })

  it("limits failures per address in a sliding window, with bounded memory", () => {
    const limiter = new FailureLimiter({ limit: 3, windowMs: 60_000, maxAddresses: 100 })
    for (const t of [0, 10_000, 20_000]) limiter.recordFailure("1.2.3.4", t)
    expect(limiter.blockedFor("1.2.3.4", 20_000)).toBe(40_000)
    expect(limiter.blockedFor("5.6.7.8", 20_000)).toBeUndefined()
    // The oldest failure leaves the window: one more try.
    expect(limiter.blockedFor("1.2.3.4", 60_001)).toBeUndefined()
    limiter.recordFailure("1.2.3.4", 60_001)
    expect(limiter.blockedFor("1.2.3.4", 60_001)).toBe(9_999)
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`, 70_000)
    expect(limiter.size).toBeLessThanOrEqual(100)
  })

  it("knows loopback Host headers", () => {
    for (const h of ["127.0.0.1:18789", "localhost", "LOCALHOST:1", "[::1]:18789", "127.1.2.3"]) expect(isLoopbackHost(h), h).toBe(true)
    for (const h of ["evil.example", "localhost.evil.example", "0.0.0.0:18789", "192.168.1.2", undefined]) expect(isLoopbackHost(h), String(h)).toBe(false)
  })
})

describe("chat completion routing", () => {
  it("accepts the OpenAI shape with nulls where clients send them, and whatever else the provider may judge", () => {
    const ok = chatRouting({ model: "openclaw", messages: [{ role: "user", content: "hi" }], max_tokens: null, temperature: null, stream: false, stream_options: null, user: null, tools: [] })
    expect(ok._tag).toBe("Right")
  })

  it("locates the first problem", () => {
    const role = chatRouting({ model: "openclaw", messages: [{ role: "user", content: "hi" }, { role: "robot", content: "x" }] })
    expect(role._tag === "Left" && role.left).toMatch(/^messages\.1\.role: must be one of "system", "developer", "user", "assistant", "tool", got "robot"/)
    expect(chatRouting({ model: "", messages: [{ role: "user" }] })._tag === "Left").toBe(true)
    const stream = chatRouting({ model: "openclaw", messages: [{ role: "user", content: "hi" }], stream: "yes" })
    expect(stream._tag === "Left" && stream.left).toMatch(/^stream: /)
  })
})

describe("service definitions", () => {
  const input = {
    node: "/opt/node 20/bin/node",
    script: "/home/me/app/dist/openclaw.cjs",
    args: ["--port", "18800", "--agent", "50%&<off>"],
    stateDir: "/home/me/.openclaw",
    pathVars: {}
  }

  it("systemd: quoted ExecStart with specifiers escaped, reload by SIGHUP, no environment", () => {
    const unit = renderSystemdUnit(input)
    expect(unit).toContain('ExecStart="/opt/node 20/bin/node" "/home/me/app/dist/openclaw.cjs" "gateway" "--port" "18800" "--agent" "50%%&<off>"')
    expect(unit).toContain("ExecReload=/bin/kill -HUP $MAINPID")
    expect(unit).toContain("WantedBy=default.target")
    expect(unit).not.toMatch(/^Environment/m)
    // systemd.exec(5): in Environment= "variable expansion is not performed … and $ has no special meaning": a `$`
    // stays single there (doubled, the gateway would get `/srv/$$state`); `%` is a specifier everywhere.
    const withState = renderSystemdUnit({ ...input, pathVars: { OPENCLAW_STATE_DIR: "/srv/$state/50%" } })
    expect(withState).toContain('Environment="OPENCLAW_STATE_DIR=/srv/$state/50%%"')
  })

  it("a relative path setting is written absolute, as install resolved it: the service starts in another directory (§8.1)", () => {
    expect(pathVarsOf({ OPENCLAW_STATE_DIR: "relative/dir", OPENCLAW_CONFIG_PATH: "rel.json", OPENCLAW_HOME: "~/oc", OPENCLAW_AGENT_DIR: "/abs/agent", PATH: "/bin" }, "/home/me/work/")).toEqual({
      OPENCLAW_STATE_DIR: "/home/me/work/relative/dir",
      OPENCLAW_CONFIG_PATH: "/home/me/work/rel.json",
      OPENCLAW_HOME: "~/oc",
      OPENCLAW_AGENT_DIR: "/abs/agent"
    })
  })

  it("a newline or other control character in a path or argument is refused, never written into either (§11)", () => {
    const cases = [
      [{ ...input, stateDir: "/home/me/x\nExecStartPre=/bin/sh -c evil" }, "the state dir", "a line feed"],
      [{ ...input, pathVars: { OPENCLAW_STATE_DIR: "/srv/oc\r\n[Service]" } }, "OPENCLAW_STATE_DIR", "a carriage return"],
      [{ ...input, args: ["--agent", "a\u001b]0;x\u0007"] }, "the value of --agent", "an ESC"],
      [{ ...input, node: "/opt/node\u0085/bin/node" }, "the node binary path", "a control character (U+0085)"]
    ] as const
    for (const [bad, what, character] of cases) {
      for (const platform of ["linux", "darwin"] as const) {
        expect(renderService(platform, bad)).toEqual(Either.left({ what, character }))
      }
    }
    expect(Either.isRight(renderService("linux", input))).toBe(true)
  })

  it("launchd: XML-escaped program arguments, kept alive, logs under the state dir", () => {
    const plist = renderLaunchdPlist(input)
    expect(plist).toContain("<string>/opt/node 20/bin/node</string>")
    expect(plist).toContain("<string>50%&amp;&lt;off&gt;</string>")
    expect(plist).toContain("<string>/home/me/.openclaw/logs/gateway.log</string>")
    expect(plist).toContain("<key>KeepAlive</key>")
    expect(plist).not.toContain("EnvironmentVariables")
  })
})

describe("Background", () => {
  it.effect("runLatest: one task per key runs, the latest of those that arrive meanwhile runs after it", () =>
    Effect.gen(function* () {
      const ran: Array<string> = []
      const gate = yield* Deferred.make<void>()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const bg = yield* Background
          yield* bg.runLatest("p", Effect.zipRight(Deferred.await(gate), Effect.sync(() => void ran.push("first"))))
          yield* Effect.yieldNow()
          for (const n of ["second", "third", "fourth"]) yield* bg.runLatest("p", Effect.sync(() => void ran.push(n)))
          yield* bg.runLatest("q", Effect.sync(() => void ran.push("other key")))
          yield* Deferred.succeed(gate, undefined)
        }).pipe(Effect.provide(Background.layer()))
      )
      // The scope awaited the background work before closing.
      expect(ran).toEqual(["other key", "first", "fourth"])
    })
  )
})

describe("headerValue (ids in response headers)", () => {
  it("passes plain ids, percent-encodes the rest, and writes a lone surrogate as U+FFFD instead of throwing", async () => {
    const { headerValue } = await import("../../src/gateway/Headers.js")
    expect(headerValue("anthropic/claude-opus-4-6")).toBe("anthropic/claude-opus-4-6")
    expect(headerValue("a\nb%é")).toBe("a%0Ab%25%C3%A9")
    expect(headerValue("claude\ud800x")).toBe("claude%EF%BF%BDx")
    expect(headerValue("x\udc00\ud83d\ude00")).toBe("x%EF%BF%BD%F0%9F%98%80")
  })
})

describe("the open-file limit gives the gateway's connection cap", () => {
  it("half of what a reserve leaves; none when unknown or unlimited", () => {
    const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                ${soft}                files\n`
    expect(connectionCap(limits("20000"))).toBe(9000)
    expect(connectionCap(limits("1024"))).toBe(461)
    expect(connectionCap(limits("128"))).toBe(32)
    expect(connectionCap(limits("16"))).toBe(8)
    expect(connectionCap(limits("unlimited"))).toBeUndefined()
    expect(connectionCap("")).toBeUndefined()
  })
})
