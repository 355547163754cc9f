import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { reply } from "../support/fakeProviders.js"
import { ask, expectNoSecrets, KEYS, POLL, withGateway } from "./harness.js"

const ref = (id: string) => ({ source: "env", provider: "default", id })

describe("gateway: SecretRefs in the store (§9)", () => {
  it.scopedLive("sends the resolved keys, keeps them through its own usage writes, and writes none of them", () =>
    withGateway(
      {
        token: true,
        dotenv: { PROFILE_A_KEY: KEYS.a, PROFILE_B_KEY: KEYS.b },
        store: {
          version: 1,
          profiles: {
            "anthropic:a": { type: "api_key", provider: "anthropic", keyRef: ref("PROFILE_A_KEY") },
            "anthropic:b": { type: "api_key", provider: "anthropic", keyRef: ref("PROFILE_B_KEY") }
          },
          order: { anthropic: ["anthropic:a", "anthropic:b"] }
        }
      },
      async ({ world, gw }) => {
        world.fake.script(KEYS.a, [reply.rateLimited(60)])
        await gw.client().chat.completions.create(ask("hi"))
        expect(world.fake.requests.map((r) => r.credential)).toEqual(["sk-ant-api03-…AK01", "sk-ant-api03-…BK02"])
        // The cooldown write is patched into the snapshot: b still holds its resolved key, a is skipped.
        await expect.poll(async () => (await world.readJson(world.store)).lastGood?.anthropic, POLL).toBe("anthropic:b")
        await gw.client().chat.completions.create(ask("again"))
        expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…BK02")
        expect(world.fake.countFor(KEYS.a)).toBe(1)
        const stored = await world.readJson(world.store)
        expect(stored.profiles["anthropic:b"]).toEqual({ type: "api_key", provider: "anthropic", keyRef: ref("PROFILE_B_KEY") })
        for (const file of await fs.readdir(world.state, { recursive: true })) {
          const full = path.join(world.state, file)
          if (file === ".env" || !(await fs.stat(full)).isFile()) continue
          const text = await fs.readFile(full, "utf8")
          expect(text, file).not.toContain(KEYS.a)
          expect(text, file).not.toContain(KEYS.b)
        }
        expectNoSecrets(gw.logs.join("\n"))
      }
    ))
})
