import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import {
  alive,
  nodeScript,
  of,
  READ_REQUEST,
  realSleep,
  reasonOf,
  timersQueued,
  ref,
  resolveLive,
  shScript,
  tempDir,
  waitForFile,
  writeFile
} from "./harness.js"

const exec = (command: string, extra: Record<string, unknown> = {}) => ({ providers: { vault: { source: "exec", command, ...extra } } })
const exists = (file: string) => Effect.promise(() => fs.access(file).then(() => true, () => false))
const read = (file: string) => Effect.promise(() => fs.readFile(file, "utf8"))

describe("exec provider: the protocol (§9)", () => {
  it.effect("one run for all of a provider's ids, with the request on stdin", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() =>
        nodeScript(
          path.join(dir, "resolver"),
          `${READ_REQUEST}
fs.appendFileSync(${JSON.stringify(path.join(dir, "runs"))}, "run\\n")
fs.writeFileSync(${JSON.stringify(path.join(dir, "request.json"))}, JSON.stringify(request))
reply(Object.fromEntries(request.ids.map((id) => [id, "sk-value-of-" + id])))`
        )
      )
      const refs = [ref("exec", "vault", "openai/key"), ref("exec", "vault", "anthropic/key"), ref("exec", "vault", "groq:key#v")]
      const results = yield* resolveLive([...refs, refs[0]!], exec(command))
      for (const r of refs) expect(of(results, r)).toEqual({ _tag: "Resolved", value: `sk-value-of-${r.id}` })
      expect(yield* read(path.join(dir, "runs"))).toBe("run\n")
      expect(JSON.parse(yield* read(path.join(dir, "request.json")))).toEqual({
        protocolVersion: 1,
        provider: "vault",
        ids: ["openai/key", "anthropic/key", "groq:key#v"]
      })
    })
  )

  it.effect("two providers run once each, alongside env and file refs of the same request", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const script = (name: string) =>
        nodeScript(
          path.join(dir, name),
          `${READ_REQUEST}
fs.appendFileSync(${JSON.stringify(path.join(dir, "runs"))}, request.provider + "\\n")
reply(Object.fromEntries(request.ids.map((id) => [id, request.provider + "-secret-" + id])))`
        )
      const one = yield* Effect.promise(() => script("one"))
      const two = yield* Effect.promise(() => script("two"))
      const file = yield* Effect.promise(() => writeFile(path.join(dir, "s.json"), `{"k":"file-secret-value"}`))
      const refs = [ref("exec", "one", "a"), ref("exec", "two", "b"), ref("exec", "one", "c"), ref("env", "default", "OPENAI_API_KEY"), ref("file", "disk", "/k")]
      const results = yield* resolveLive(
        refs,
        {
          providers: {
            one: { source: "exec", command: one },
            two: { source: "exec", command: two },
            disk: { source: "file", path: file }
          }
        },
        { env: { OPENAI_API_KEY: "sk-env-openai-value" } }
      )
      const values = refs.map((r) => {
        const resolution = of(results, r)
        return resolution._tag === "Resolved" ? resolution.value : resolution.reason
      })
      expect(values).toEqual(["one-secret-a", "two-secret-b", "one-secret-c", "sk-env-openai-value", "file-secret-value"])
      expect((yield* read(path.join(dir, "runs"))).split("\n").filter(Boolean).sort()).toEqual(["one", "two"])
    })
  )

  it.effect("per-id errors: the message escaped and scrubbed of the batch's values; a missing id; non-strings", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() =>
        nodeScript(
          path.join(dir, "resolver"),
          `${READ_REQUEST}
reply(
  { good: "sk-good-value-12345678", number: 42, empty: "" },
  { bad: { message: "denied: \\u001b[31mred\\u001b[0m, not like sk-good-value-12345678\\nsecond line" }, quiet: {} }
)`
        )
      )
      const [good, bad, quiet, missing, number, empty] = ["good", "bad", "quiet", "missing", "number", "empty"].map((id) => ref("exec", "vault", id))
      const results = yield* resolveLive([good!, bad!, quiet!, missing!, number!, empty!], exec(command))
      expect(of(results, good!)).toEqual({ _tag: "Resolved", value: "sk-good-value-12345678" })
      expect(reasonOf(results, bad!)).toBe(`exec provider "vault" could not resolve bad: denied: \\x1b[31mred\\x1b[0m, not like <redacted>`)
      expect(reasonOf(results, quiet!)).toBe(`exec provider "vault" could not resolve quiet`)
      expect(reasonOf(results, missing!)).toBe(`exec provider "vault" returned no value for missing`)
      expect(reasonOf(results, number!)).toBe(`exec provider "vault" returned a number for number, not a string`)
      expect(reasonOf(results, empty!)).toBe(`exec provider "vault" returned an empty value for empty`)
    })
  )

  it.effect("an answer that is not the protocol spoils every id", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const answers = {
        notJson: "sk-plain-text-secret-9",
        array: "[1]",
        version: `{"protocolVersion":2,"values":{"a":"x"}}`,
        nothing: ""
      }
      const providers: Record<string, unknown> = {}
      for (const [name, stdout] of Object.entries(answers)) {
        const command = yield* Effect.promise(() => shScript(path.join(dir, name), `printf '%s' '${stdout}'`))
        providers[name.toLowerCase()] = { source: "exec", command }
      }
      const refs = Object.keys(answers).map((name) => ref("exec", name.toLowerCase(), "a"))
      const results = yield* resolveLive(refs, { providers })
      expect(refs.map((r) => reasonOf(results, r))).toEqual([
        `exec provider "notjson" printed something that is not JSON (for a command that prints one bare value, set jsonOnly: false)`,
        `exec provider "array" printed an array, not a JSON object`,
        `exec provider "version" did not answer with protocolVersion 1`,
        `exec provider "nothing" printed nothing`
      ])
    })
  )

  it.effect("jsonOnly: false with one id: the plain stdout, less its trailing newline, is the value", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() => shScript(path.join(dir, "op"), `echo "sk-plain-from-op-123"`))
      const r = ref("exec", "vault", "value")
      const results = yield* resolveLive([r], exec(command, { jsonOnly: false }))
      expect(of(results, r)).toEqual({ _tag: "Resolved", value: "sk-plain-from-op-123" })
      // Strict by default: the same output is no answer.
      const strict = yield* resolveLive([r], exec(command))
      expect(reasonOf(strict, r)).toContain("is not JSON")
      // Plain stdout answers one id only: with two, the protocol is required.
      const two = [r, ref("exec", "vault", "other")]
      const both = yield* resolveLive(two, exec(command, { jsonOnly: false }))
      expect(reasonOf(both, r)).toContain("is not JSON")
      // A protocol answer cut short (the command died mid-write, exit 0) is no value: the fragment is never the key.
      const cut = yield* Effect.promise(() => shScript(path.join(dir, "cut"), `printf '{"protocolVersion":1,"values":{"value":"sk-FAKE-cut-sho'`))
      const truncated = yield* resolveLive([r], exec(cut, { jsonOnly: false }))
      expect(reasonOf(truncated, r)).toBe('exec provider "vault" printed a JSON object that is cut short or malformed')
      // A generated password that only starts with a brace is still the value.
      const braced = yield* Effect.promise(() => shScript(path.join(dir, "braced"), `printf '%s\\n' '{k9#Qx-FAKE-generated-pw'`))
      expect(of(yield* resolveLive([r], exec(braced, { jsonOnly: false })), r)).toEqual({ _tag: "Resolved", value: "{k9#Qx-FAKE-generated-pw" })
    })
  )

  it.effect("a non-zero exit spoils every id, with the exit code and the first line of stderr, escaped", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() =>
        shScript(path.join(dir, "failing"), `printf 'vault: permission \\033[1mdenied\\033[0m\\nmore detail\\n' >&2
exit 3`)
      )
      const refs = [ref("exec", "vault", "a"), ref("exec", "vault", "b")]
      const results = yield* resolveLive(refs, exec(command))
      for (const r of refs) {
        expect(reasonOf(results, r)).toBe(`exec provider "vault" exited with code 3: vault: permission \\x1b[1mdenied\\x1b[0m`)
      }
    })
  )

  it.effect("without allowExec, exec refs are NotRun and the command never runs", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const ran = path.join(dir, "ran")
      const command = yield* Effect.promise(() => shScript(path.join(dir, "resolver"), `echo ran > ${ran}`))
      const r = ref("exec", "vault", "a")
      const results = yield* resolveLive([r], exec(command), { allowExec: false })
      expect(of(results, r)).toEqual({ _tag: "NotRun", reason: "exec refs are resolved only with --allow-exec" })
      expect(yield* exists(ran)).toBe(false)
    })
  )

  it.effect("passEnv: the command sees only the named variables (and the provider's env), never the parent's", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() =>
        nodeScript(path.join(dir, "env"), `${READ_REQUEST}
reply({ env: JSON.stringify(process.env) })`)
      )
      const r = ref("exec", "vault", "env")
      const results = yield* resolveLive(
        [r],
        exec(command, { passEnv: ["VAULT_ADDR", "UNSET_ONE"], env: { FIXED: "from-config", VAULT_ADDR: "config-wins" } }),
        { env: { VAULT_ADDR: "https://vault", VAULT_TOKEN: "sk-must-not-pass", PATH: "/usr/bin" } }
      )
      const seen = of(results, r)
      expect(seen._tag).toBe("Resolved")
      expect(JSON.parse(seen._tag === "Resolved" ? seen.value : "{}")).toEqual({ VAULT_ADDR: "config-wins", FIXED: "from-config" })
      const passed = yield* resolveLive([r], exec(command, { passEnv: ["VAULT_ADDR"] }), { env: { VAULT_ADDR: "https://vault", HOME: "/root" } })
      const value = of(passed, r)
      expect(JSON.parse(value._tag === "Resolved" ? value.value : "{}")).toEqual({ VAULT_ADDR: "https://vault" })
      expect(process.env.PATH).toBeDefined() // the test process has one; the child above did not get it
    })
  )
})

describe("exec provider: limits, under TestClock (§9)", () => {
  it.effect("timeoutMs: the command is killed when the time is up, and is gone when resolve returns", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const pidFile = path.join(dir, "pid")
      const command = yield* Effect.promise(() => shScript(path.join(dir, "slow"), `echo $$ > ${pidFile}\nexec /bin/sleep 30`))
      const r = ref("exec", "vault", "a")
      const fiber = yield* Effect.fork(resolveLive([r], exec(command, { timeoutMs: 5000, noOutputTimeoutMs: 60_000 })))
      const pid = Number(yield* waitForFile(pidFile))
      yield* timersQueued(1) // the silence timer is moot: it would end after the deadline
      expect(alive(pid)).toBe(true)
      yield* TestClock.adjust("4999 millis")
      yield* realSleep(100)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const results = yield* Fiber.join(fiber)
      expect(reasonOf(results, r)).toBe(`exec provider "vault" timed out after 5000 ms (timeoutMs) and was killed`)
      expect(alive(pid)).toBe(false)
    })
  )

  it.effect("noOutputTimeoutMs: counted from the last output; a silent command is killed", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const pidFile = path.join(dir, "pid")
      const go = path.join(dir, "go")
      const saidTwo = path.join(dir, "said-two")
      const command = yield* Effect.promise(() =>
        shScript(
          path.join(dir, "quiet"),
          `echo $$ > ${pidFile}
echo one
while [ ! -e ${go} ]; do /bin/sleep 0.02; done
echo two
echo two > ${saidTwo}
exec /bin/sleep 30`
        )
      )
      const r = ref("exec", "vault", "a")
      const fiber = yield* Effect.fork(resolveLive([r], exec(command, { timeoutMs: 10_000, noOutputTimeoutMs: 1000 })))
      const pid = Number(yield* waitForFile(pidFile))
      yield* timersQueued(2)
      yield* TestClock.adjust("900 millis")
      yield* Effect.promise(() => fs.writeFile(go, ""))
      yield* waitForFile(saidTwo)
      yield* realSleep(200) // lets the "two" reach the resolver
      // 1800 ms since the start, but only 900 since "two": still running.
      yield* TestClock.adjust("900 millis")
      yield* realSleep(100)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      expect(alive(pid)).toBe(true)
      yield* TestClock.adjust("100 millis")
      const results = yield* Fiber.join(fiber)
      expect(reasonOf(results, r)).toBe(`exec provider "vault" was killed: no output for 1000 ms (noOutputTimeoutMs)`)
      expect(alive(pid)).toBe(false)
    })
  )

  it.effect("maxOutputBytes: a command that prints without end is killed at the cap", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const pidFile = path.join(dir, "pid")
      const command = yield* Effect.promise(() => shScript(path.join(dir, "chatty"), `echo $$ > ${pidFile}
exec /usr/bin/yes sk-repeated-secret`))
      const r = ref("exec", "vault", "a")
      const results = yield* resolveLive([r], exec(command, { maxOutputBytes: 4096 }))
      expect(reasonOf(results, r)).toBe(`exec provider "vault" was killed: its output exceeds 4096 bytes (maxOutputBytes)`)
      expect(alive(Number(yield* waitForFile(pidFile)))).toBe(false)
    })
  )
})

describe("exec provider: the output cap's edge (§9)", () => {
  it.effect("an answer of exactly maxOutputBytes is read; one byte more is refused", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const answer = JSON.stringify({ protocolVersion: 1, values: { a: "sk-exactly-at-the-cap" } })
      const command = yield* Effect.promise(() => shScript(path.join(dir, "exact"), `printf '%s' '${answer}'`))
      const r = ref("exec", "vault", "a")
      const bytes = Buffer.byteLength(answer)
      expect(of(yield* resolveLive([r], exec(command, { maxOutputBytes: bytes })), r)).toEqual({ _tag: "Resolved", value: "sk-exactly-at-the-cap" })
      expect(reasonOf(yield* resolveLive([r], exec(command, { maxOutputBytes: bytes - 1 })), r)).toContain(
        `its output exceeds ${bytes - 1} bytes (maxOutputBytes)`
      )
    })
  )
})

describe("exec provider: which commands may run (§9)", () => {
  const answering = (file: string) => nodeScript(file, `${READ_REQUEST}
reply({ a: "sk-from-" + require("node:path").basename(process.argv[1]) })`)

  it.effect("a symlinked command: refused without allowSymlinkCommand, refused outside trustedDirs, run inside them", () =>
    Effect.gen(function* () {
      const trusted = tempDir("trusted")
      const elsewhere = tempDir("links")
      const real = yield* Effect.promise(() => answering(path.join(trusted, "real-resolver")))
      const link = path.join(elsewhere, "resolver")
      yield* Effect.promise(() => fs.symlink(real, link))
      const r = ref("exec", "vault", "a")
      const plain = yield* resolveLive([r], exec(link))
      expect(reasonOf(plain, r)).toBe(
        `exec provider "vault" cannot run: its command ${link} is a symlink; set allowSymlinkCommand: true and trustedDirs to the directories its target may be in`
      )
      const noDirs = yield* resolveLive([r], exec(link, { allowSymlinkCommand: true }))
      expect(reasonOf(noDirs, r)).toContain("is a symlink and trustedDirs is empty")
      const outside = yield* resolveLive([r], exec(link, { allowSymlinkCommand: true, trustedDirs: [elsewhere] }))
      expect(reasonOf(outside, r)).toBe(`exec provider "vault" cannot run: its command ${link} is ${real}, outside trustedDirs (${elsewhere})`)
      const inside = yield* resolveLive([r], exec(link, { allowSymlinkCommand: true, trustedDirs: [trusted] }))
      expect(of(inside, r)).toEqual({ _tag: "Resolved", value: "sk-from-real-resolver" })
      // A trusted dir that is itself a link counts where it points.
      const dirLink = path.join(elsewhere, "trusted-link")
      yield* Effect.promise(() => fs.symlink(trusted, dirLink))
      const viaLink = yield* resolveLive([r], exec(link, { allowSymlinkCommand: true, trustedDirs: [dirLink] }))
      expect(of(viaLink, r)).toEqual({ _tag: "Resolved", value: "sk-from-real-resolver" })
    })
  )

  it.effect("trustedDirs also bounds a command that is no symlink", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const other = tempDir()
      const command = yield* Effect.promise(() => answering(path.join(dir, "resolver")))
      const r = ref("exec", "vault", "a")
      expect(reasonOf(yield* resolveLive([r], exec(command, { trustedDirs: [other] })), r)).toContain("outside trustedDirs")
      expect(of(yield* resolveLive([r], exec(command, { trustedDirs: [dir] })), r)._tag).toBe("Resolved")
    })
  )

  it.effect("a relative command is a provider error; a missing, non-regular, writable or non-executable one is refused", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const writable = yield* Effect.promise(() => answering(path.join(dir, "writable")))
      yield* Effect.promise(() => fs.chmod(writable, 0o775))
      const notExec = yield* Effect.promise(() => answering(path.join(dir, "not-exec")))
      yield* Effect.promise(() => fs.chmod(notExec, 0o644))
      const r = ref("exec", "vault", "a")
      const reason = (command: string, extra: Record<string, unknown> = {}) =>
        Effect.map(resolveLive([r], exec(command, extra)), (results) => reasonOf(results, r))
      expect(yield* reason("bin/resolver")).toBe("secrets.providers.vault is invalid: command must be an absolute path")
      expect(yield* reason(path.join(dir, "nope"))).toBe(`exec provider "vault" cannot run: its command ${path.join(dir, "nope")} does not exist`)
      expect(yield* reason(dir)).toBe(`exec provider "vault" cannot run: its command ${dir} is not a regular file`)
      expect(yield* reason(writable)).toContain(`its command ${writable} is writable by its group (mode 0775)`)
      expect(yield* reason(writable, { allowInsecurePath: true })).toBe("")
      expect(yield* reason(notExec)).toBe(`exec provider "vault" cannot run: its command ${notExec} is not executable (chmod u+x it)`)
    })
  )

  it.effect("a command in a directory anyone may write to is refused (it could be swapped), unless sticky or allowInsecurePath", () =>
    Effect.gen(function* () {
      const open = path.join(tempDir(), "open")
      const sticky = path.join(tempDir(), "sticky")
      for (const d of [open, sticky]) yield* Effect.promise(() => fs.mkdir(d))
      yield* Effect.promise(() => fs.chmod(open, 0o777))
      yield* Effect.promise(() => fs.chmod(sticky, 0o1777))
      const swappable = yield* Effect.promise(() => answering(path.join(open, "resolver")))
      const guarded = yield* Effect.promise(() => answering(path.join(sticky, "resolver")))
      const r = ref("exec", "vault", "a")
      const reason = (command: string, extra: Record<string, unknown> = {}) =>
        Effect.map(resolveLive([r], exec(command, extra)), (results) => reasonOf(results, r))
      expect(yield* reason(swappable)).toBe(
        `exec provider "vault" cannot run: its command ${swappable} is in ${open}, writable by anyone (mode 0777): anyone can replace it; chmod o-w ${open}, or set allowInsecurePath: true on the provider if it is trusted`
      )
      expect(yield* reason(swappable, { allowInsecurePath: true })).toBe("")
      expect(yield* reason(guarded)).toBe("")
    })
  )

  it.effect("an invalid id never reaches the command", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const ran = path.join(dir, "ran")
      const command = yield* Effect.promise(() => shScript(path.join(dir, "resolver"), `echo ran > ${ran}`))
      const dots = ref("exec", "vault", "a/../b")
      const flag = ref("exec", "vault", "-rf")
      const results = yield* resolveLive([dots, flag], exec(command))
      expect(reasonOf(results, dots)).toContain(`exec ids may not contain "." or ".." path segments`)
      expect(reasonOf(results, flag)).toContain("exec ids match")
      expect(yield* exists(ran)).toBe(false)
    })
  )
})
