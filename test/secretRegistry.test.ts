import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { scrub } from "../src/domain/Scrub.js"
import { scrubIndex } from "../src/domain/ScrubIndex.js"
import { isSecretVarName, makeSecretRegistry, redactSecrets } from "../src/services/SecretRegistry.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli } from "./support/TestApp.js"

describe("secret registry", () => {
  it("scrubs registered values by their mask, longest first, and ignores short values", () => {
    const r = makeSecretRegistry()
    Effect.runSync(r.register(["sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz", "sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz-longer", "short", undefined]))
    expect(r.scrub("a sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz-longer b sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz short")).toBe(
      "a sk-ant-api03-…nger b sk-ant-api03-…wxyz short"
    )
  })

  it("knows secret-looking variable names", () => {
    expect(["ANTHROPIC_API_KEY", "OPENCLAW_GATEWAY_TOKEN", "DB_PASSWORD", "aws_secret"].every(isSecretVarName)).toBe(true)
    expect(["PATH", "HOME", "LANG"].some(isSecretVarName)).toBe(false)
  })

  it("nets a secret that reaches the CLI's output by any other path", async () => {
    // A secret env value that also names the agent: status prints agent ids unmasked, the net catches it.
    const value = "FAKEsecretAgentName0123456789"
    const fs = new MemoryFs({ [CONFIG]: JSON.stringify({ agents: { list: [{ id: value, default: true }] } }) })
    const r = await runCli(["models", "status"], { fs, vars: { MY_SERVICE_TOKEN: value } })
    expect(r.stdout).toContain("Agent         : …6789")
    expect(r.stdout + r.stderr).not.toContain(value)
  })
})

describe("redactSecrets", () => {
  it("replaces every occurrence, the longer of two overlapping secrets whole, in any order given", () => {
    const short = "sk-FAKE-short-123"
    const long = short + "-and-more-456"
    const text = `a ${long} b ${short} c ${long}`
    for (const secrets of [[short, long], [long, short]]) {
      expect(redactSecrets(text, secrets)).toBe("a <redacted> b <redacted> c <redacted>")
    }
    expect(redactSecrets("nothing here", ["", short])).toBe("nothing here")
  })
})

describe("scrubbing pieces and encodings of a secret (§11)", () => {
  const KEY = "sk-ant-api03-FAKEq7Wm2Xr9Lp4Tn8Vb6Yc3Zd5Hs1Jk0Gf-wxyz"
  const registry = () => {
    const r = makeSecretRegistry()
    Effect.runSync(r.register([KEY]))
    return r
  }
  /** Every run of 8 characters of the key's hidden part. */
  const pieces = (s: string) => Array.from({ length: s.length - 13 - 7 }, (_, i) => s.slice(13 + i, 13 + i + 8))
  const expectClean = (text: string) => {
    for (const p of pieces(KEY)) expect(text, `piece ${p}`).not.toContain(p)
  }

  it("finds any run of 8 or more characters of a secret, but not its public prefix, a short run or its mask", () => {
    const r = registry()
    for (const leak of [KEY.slice(0, -4), KEY.slice(20, 28), KEY.slice(5), `x${KEY.slice(13, 40)}y`]) {
      const out = r.scrub(`provider said: invalid key ${leak}!`)
      expectClean(out)
      expect(out).toMatch(/^provider said: invalid key .*…/)
    }
    expect(r.scrub(`whole: ${KEY}`)).toBe("whole: sk-ant-api03-…wxyz")
    for (const harmless of ["sk-ant-api03-", KEY.slice(20, 27), "sk-ant-api03-…wxyz", "an ordinary sentence about keys"]) {
      expect(r.scrub(harmless)).toBe(harmless)
    }
    // A secret that contains a word does not make the word a secret; the word inside a leak is still hidden.
    const pat = "FAKE-deepseek-pat-7f3a9c2e1b8d4f6a0c5e"
    const r2 = makeSecretRegistry()
    Effect.runSync(r2.register([pat]))
    expect(r2.scrub("provider deepseek: deepseek:p034")).toBe("provider deepseek: deepseek:p034")
    expect(r2.scrub(`bad token deepseek-pat-7f3a9c2e1b8d4f`)).toBe("bad token …")
  })

  it("finds its base64 at every alignment, standard and URL-safe, and its percent-encoding", () => {
    const r = registry()
    const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64")
    for (const encoded of [b64(KEY), b64(`x${KEY}`), b64(`xy${KEY}`), b64(`user:${KEY}`), b64(JSON.stringify({ key: KEY })), Buffer.from(`ab${KEY}`).toString("base64url")]) {
      const out = r.scrub(`Authorization: Basic ${encoded}`)
      expect(out).toContain("…")
      // Whatever base64 is left, decoded at every alignment, holds no run of 8 of the key.
      const decoded = (out.match(/[A-Za-z0-9+/_-]{4,}/g) ?? []).flatMap((run) =>
        [0, 1, 2, 3].map((o) => Buffer.from(run.slice(o).replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1"))
      )
      expectClean(decoded.join(" "))
      expect(decoded.join(" ")).not.toBe("") // the check above looked at something
    }
    const odd = "p@ss/w0rd+FAKE&secret=="
    const r2 = makeSecretRegistry()
    Effect.runSync(r2.register([odd]))
    expect(r2.scrub(`url: https://x.example/?q=${encodeURIComponent(odd)}`)).not.toContain(encodeURIComponent(odd).slice(0, 12))
  })

  it("hides URL user-info and credential query parameters whatever they hold", () => {
    const r = makeSecretRegistry()
    expect(r.scrub("base https://bob:hunter2@llm.example:8443/v1?api_key=abc123&model=x&token=t0k")).toBe(
      "base https://…@llm.example:8443/v1?api_key=…&model=x&token=…"
    )
    expect(r.scrub("see https://docs.example/path?page=2")).toBe("see https://docs.example/path?page=2")
  })

  it("finds values substituted from ${VAR} only whole, so their pieces stay ordinary text", () => {
    const r = makeSecretRegistry()
    Effect.runSync(r.register(["http://127.0.0.1:8000/v1", "anthropic/claude-private-finetune"], "value"))
    expect(r.scrub("calling http://127.0.0.1:8000/v1 now")).toBe("calling …0/v1 now")
    expect(r.scrub("model anthropic/claude-private-finetune")).toBe("model …tune")
    expect(r.scrub("listening on http://127.0.0.1:18789")).toBe("listening on http://127.0.0.1:18789")
  })

  it("finds the encodings of each of thousands of secrets that share a public prefix", () => {
    // Their encodings all start alike (`c2stYW50LWFwaTAz…`): the index keeps only so many pieces per hash, and
    // before issue 12's rework only the first 64 secrets' base64 was found.
    const secrets = Array.from({ length: 2000 }, (_, i) => `sk-ant-api03-FAKE${(i * 2654435761).toString(36)}q${i}Z`)
    const r = makeSecretRegistry()
    Effect.runSync(r.register(secrets))
    for (const secret of [secrets[0]!, secrets[999]!, secrets[1999]!]) {
      for (const encoded of [0, 1, 2].map((pad) => Buffer.from(`${"x".repeat(pad)}${secret}`).toString("base64"))) {
        const out = r.scrub(`Basic ${encoded}`)
        expect(out, encoded).toContain("…")
        expect(out).not.toContain(encoded.slice(-12, -2))
      }
    }
  })

  it("finds encodings in a later text after texts that could hold none (the encodings' table is made on need)", () => {
    // Encodings are indexed only once a text has a long enough base64 run or a `%`; the registry must not stay
    // on the plain table. A secret with no random-looking run has no plain entry at all, only encodings.
    const words = "correcthorsebatterystaple"
    const odd = "p@ss/w0rd+FAKE&secret=="
    const r = makeSecretRegistry()
    Effect.runSync(r.register([KEY, words, odd]))
    expect(r.scrub("nothing encoded here: anthropic:p001")).toBe("nothing encoded here: anthropic:p001")
    expect(r.scrub(`whole: ${KEY}`)).toBe("whole: sk-ant-api03-…wxyz")
    for (const secret of [KEY, words, odd]) {
      for (const pad of [0, 1, 2]) {
        const encoded = Buffer.from(`${"x".repeat(pad)}${secret}`).toString("base64")
        expect(r.scrub(`Basic ${encoded}`), encoded).not.toContain(encoded.slice(4, -4))
      }
    }
    const alone = makeSecretRegistry()
    Effect.runSync(alone.register([words]))
    expect(alone.scrub(`Basic ${btoa(words)}`)).toMatch(/^Basic …[A-Za-z0-9+/=]{0,4}$/) // the padded end is no secret
    const percent = encodeURIComponent(odd)
    const r2 = makeSecretRegistry()
    Effect.runSync(r2.register([odd]))
    expect(r2.scrub("plain text first")).toBe("plain text first")
    expect(r2.scrub(`q=${percent}&x`)).toBe("q=…&x")
  })

  it("takes a secret that is not well-formed text (a lone surrogate from a hostile file) without throwing", () => {
    const broken = "sk-broken-\ud800-x9Qz7LmP2vT8kR4w"
    const r = makeSecretRegistry()
    Effect.runSync(r.register([broken, KEY]))
    // A `%` and a long base64-like run (a state-dir path) make the scan look for encodings.
    const text = `50% done in /tmp/home-abcdefghij/.openclaw: ${broken} ${KEY}`
    expect(r.scrub(text)).toBe("50% done in /tmp/home-abcdefghij/.openclaw: sk-…kR4w sk-ant-api03-…wxyz")
  })

  it("sizes its filter to its secrets (a command's few need no 256 KB), and finds each at every size", () => {
    for (const [count, most] of [[0, 128], [1, 128], [40, 256], [3_000, 64 * 1024], [20_000, 256 * 1024]] as const) {
      const secrets = Array.from({ length: count }, (_, i) => `sk-proj-FAKE${(i * 2654435761).toString(36)}x${i}Q7`)
      const index = scrubIndex(secrets)
      expect(index.plain.filter.byteLength, `${count} secrets`).toBeLessThanOrEqual(most)
      for (const secret of [secrets[0], secrets[count >> 1], secrets.at(-1)]) {
        if (secret === undefined) continue
        const run = secret.slice(-10)
        expect(scrub(`quoted: "${run}"`, index, () => "<whole>", "…"), `${count} secrets`).toBe('quoted: "…"')
      }
    }
  })

  it("is linear: 2,000 secrets over 1 MB of text", () => {
    const secrets = Array.from({ length: 2000 }, (_, i) => `sk-FAKE-${i.toString(36).padStart(6, "0")}-${"q".repeat(10)}${i}`)
    const r = makeSecretRegistry()
    Effect.runSync(r.register(secrets))
    const text = "lorem ipsum dolor sit amet ".repeat(40_000) + secrets[1234]
    const started = performance.now()
    const out = r.scrub(text)
    const ms = performance.now() - started
    expect(out).not.toContain(secrets[1234]!.slice(8))
    expect(out.slice(-12)).toContain("…")
    // Generous for a busy machine: a quadratic scan of 1 MB against 2,000 secrets takes minutes.
    expect(ms).toBeLessThan(5000)
  })
})

describe("scrubSameWidth (a prompt's frames)", () => {
  it.effect("replaces every match by as many * (one column everywhere) as it had characters; the rest is untouched", () =>
    Effect.gen(function* () {
      const registry = makeSecretRegistry()
      const key = "sk-proj-FAKEFtv4Ar5gHrrIL2hWNNdVMhDDMUF7nNxirpTuFlhM"
      yield* registry.register([key])
      for (const text of [
        `? Variable name › ${key}`,
        `? Variable name › ${key.slice(0, 20)}`,
        `see https://user:${key.slice(8, 30)}@example.com/x?api_key=${key.slice(10)}&b=1`
      ]) {
        const shown = registry.scrubSameWidth(text)
        expect(shown.length, text).toBe(text.length)
        expect(shown).not.toContain(key.slice(8, 16))
        expect(shown.startsWith(text.slice(0, 8))).toBe(true)
      }
      expect(registry.scrubSameWidth(`? Variable name › ${key}`)).toBe(`? Variable name › ${"*".repeat(key.length)}`)
      expect(registry.scrubSameWidth("? Variable name › OPENAI_API_KEY")).toBe("? Variable name › OPENAI_API_KEY")
    })
  )
})
