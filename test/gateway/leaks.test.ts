import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { reply } from "../support/fakeProviders.js"
import { expectNoLeak } from "../support/SecretScan.js"
import { ask, GATEWAY_TOKEN, GatewayHome, KEYS, startGateway, withGateway } from "./harness.js"

/** §11: a secret never leaves the gateway, not in pieces, not encoded, not through `${VAR}` or a URL. */

const ALL = [...Object.values(KEYS), GATEWAY_TOKEN]
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64")

describe("gateway: secrets in pieces and encodings (§11)", () => {
  it.scopedLive("a provider quoting all but the last characters of a key, or its base64 or percent-encoding, leaks nothing", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      // Both anthropic profiles fail quoting their key in a different disguise; the openai fallback quotes URLs.
      world.fake.script(KEYS.a, [reply.error(401, { message: `invalid x-api-key ${KEYS.a.slice(0, -3)}…` })])
      world.fake.script(KEYS.b, [reply.error(500, { message: `upstream auth header Basic ${b64(`user:${KEYS.b}`)} / ${encodeURIComponent(KEYS.b)} / ${b64(`xy${KEYS.b}`)}` })])
      world.fake.script(KEYS.openai, [reply.error(503, { message: `retry at https://svc:${KEYS.openai.slice(4, 30)}@llm.example/v1?api_key=${KEYS.openai.slice(10)}&x=1` })])
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      const text = await res.text()
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(text).toContain("<redacted>")
      world.fake.script(KEYS.a, [reply.error(401, { message: `key ${KEYS.a.slice(2, 40)} rejected` })])
      const streamed = await (await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi", { stream: true })) })).text()
      expectNoLeak(
        [
          { label: "answer", text },
          { label: "streamed answer", text: streamed },
          { label: "log", text: gw.logs.join("\n") }
        ],
        ALL,
        8
      )
      // Nothing of the base64 either, decoded at any alignment.
      for (const out of [text, streamed, gw.logs.join("\n")]) {
        const decoded = (out.match(/[A-Za-z0-9+/]{8,}/g) ?? []).flatMap((run) => [0, 1, 2, 3].map((o) => Buffer.from(run.slice(o), "base64").toString("latin1")))
        expectNoLeak([{ label: "decoded base64 in the output", text: decoded.join(" ") }], ALL, 8)
      }
    }))

  it.scopedLive("a ${VAR} substituted into the model id or a base URL, never reach answers, headers or /model status", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ token: true })
      const privateModel = "anthropic/claude-opus-4-6"
      yield* Effect.promise(async () => {
        await world.writeJson(world.config, {
          agents: { defaults: { model: { primary: "${PRIVATE_MODEL}", fallbacks: [] } } },
          models: { providers: { anthropic: { baseUrl: "${PRIVATE_BASE}" }, openai: { baseUrl: `${world.fake.url}/v1?key=FAKEquerykey123456` } } },
          gateway: { auth: { mode: "token", token: GATEWAY_TOKEN } }
        })
        await world.writeDotenv({ PRIVATE_MODEL: privateModel, PRIVATE_BASE: world.fake.url })
      })
      const gw = yield* startGateway(world)
      yield* Effect.promise(async () => {
        const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")), headers: { "x-openclaw-session-key": "s" } })
        expect(res.status).toBe(200)
        const body = await res.text()
        const status = await gw.client({ headers: { "x-openclaw-session-key": "s" } }).chat.completions.create(ask("/model status"))
        const outputs = [
          { label: "answer", text: body },
          { label: "x-openclaw-model", text: res.headers.get("x-openclaw-model") ?? "" },
          { label: "/model status", text: JSON.stringify(status) }
        ]
        for (const o of outputs) {
          expect(o.text, o.label).not.toContain(privateModel)
          expect(o.text, o.label).not.toContain(world.fake.url)
          expect(o.text, o.label).not.toContain("FAKEquerykey123456")
        }
        // The endpoint line is there, with the substituted base URL hidden.
        expect(JSON.stringify(status)).toContain("anthropic — endpoint <redacted>")
      })
    }))
})
