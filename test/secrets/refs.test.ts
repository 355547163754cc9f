import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { readJsonPointer } from "../../src/domain/JsonPointer.js"
import { commandDetail, printedValues, readExecAnswer } from "../../src/domain/SecretExecProtocol.js"
import { decodeSecretProvider, decodeSecretsConfig, providerFor } from "../../src/domain/SecretProviders.js"
import { decodeSecretRef, idProblem, parseSecretRefArgument, secretRefKey, secretRefLabel } from "../../src/domain/SecretRef.js"

const problem = <A>(e: Either.Either<A, string>): string | undefined => (Either.isLeft(e) ? e.left : undefined)

describe("SecretRef validation (§9)", () => {
  const valid: ReadonlyArray<unknown> = [
    { source: "env", provider: "default", id: "OPENAI_API_KEY" },
    { source: "env", provider: "a", id: "A" },
    { source: "env", provider: `a${"b".repeat(63)}`, id: `A${"B".repeat(127)}` },
    { source: "env", provider: "my_env-2", id: "X_1" },
    { source: "file", provider: "filemain", id: "/providers/openai/apiKey" },
    { source: "file", provider: "filemain", id: "/a~1b/c~0d" },
    { source: "file", provider: "filemain", id: "/" },
    { source: "file", provider: "filemain", id: "value" },
    { source: "exec", provider: "vault", id: "providers/openai/apiKey#value" },
    { source: "exec", provider: "vault", id: "value" },
    { source: "exec", provider: "vault", id: "a:b.c_d-e/f" },
    { source: "exec", provider: "vault", id: "a..b/c." },
    { source: "exec", provider: "vault", id: `a${"b".repeat(255)}` }
  ]
  it("accepts every well-formed ref as it is", () => {
    for (const u of valid) expect(decodeSecretRef(u)).toEqual(Either.right(u))
  })

  const invalid: ReadonlyArray<readonly [unknown, string]> = [
    ["OPENAI_API_KEY", "a secret reference is an object { source, provider, id }"],
    [null, "a secret reference is an object"],
    [["env", "default", "X"], "a secret reference is an object"],
    [{ provider: "default", id: "X" }, "source must be one of env, file, exec"],
    [{ source: "vault", provider: "default", id: "X" }, "source must be one of env, file, exec"],
    [{ source: "ENV", provider: "default", id: "X" }, "source must be one of env, file, exec"],
    [{ source: "env", id: "X" }, "provider must be an alias matching"],
    [{ source: "env", provider: "Default", id: "X" }, "provider must be an alias matching"],
    [{ source: "env", provider: "1env", id: "X" }, "provider must be an alias matching"],
    [{ source: "env", provider: "", id: "X" }, "provider must be an alias matching"],
    [{ source: "env", provider: `a${"b".repeat(64)}`, id: "X" }, "provider must be an alias matching"],
    [{ source: "env", provider: "my.env", id: "X" }, "provider must be an alias matching"],
    [{ source: "env", provider: "default" }, "id must be a string"],
    [{ source: "env", provider: "default", id: 5 }, "id must be a string"],
    [{ source: "env", provider: "default", id: "openai_api_key" }, "env ids are variable names"],
    [{ source: "env", provider: "default", id: "1KEY" }, "env ids are variable names"],
    [{ source: "env", provider: "default", id: "_KEY" }, "env ids are variable names"],
    [{ source: "env", provider: "default", id: "KEY-1" }, "env ids are variable names"],
    [{ source: "env", provider: "default", id: `A${"B".repeat(128)}` }, "env ids are variable names"],
    [{ source: "env", provider: "default", id: "" }, "env ids are variable names"],
    [{ source: "file", provider: "f", id: "providers/openai" }, "file ids are an absolute JSON pointer"],
    [{ source: "file", provider: "f", id: "" }, "file ids are an absolute JSON pointer"],
    [{ source: "file", provider: "f", id: "/a~2b" }, "file ids are an absolute JSON pointer"],
    [{ source: "file", provider: "f", id: "/a~" }, "file ids are an absolute JSON pointer"],
    [{ source: "file", provider: "f", id: "VALUE" }, "file ids are an absolute JSON pointer"],
    [{ source: "exec", provider: "v", id: "" }, "exec ids match"],
    [{ source: "exec", provider: "v", id: "/abs" }, "exec ids match"],
    [{ source: "exec", provider: "v", id: ".hidden" }, "exec ids match"],
    [{ source: "exec", provider: "v", id: "-flag" }, "exec ids match"],
    [{ source: "exec", provider: "v", id: "a b" }, "exec ids match"],
    [{ source: "exec", provider: "v", id: "a\nb" }, "exec ids match"],
    [{ source: "exec", provider: "v", id: "a$b" }, "exec ids match"],
    [{ source: "exec", provider: "v", id: `a${"b".repeat(256)}` }, "exec ids match"],
    [{ source: "exec", provider: "v", id: "a/../b" }, `exec ids may not contain "." or ".." path segments`],
    [{ source: "exec", provider: "v", id: "a/./b" }, `exec ids may not contain "." or ".." path segments`],
    [{ source: "exec", provider: "v", id: "a/.." }, `exec ids may not contain "." or ".." path segments`],
    [{ source: "exec", provider: "v", id: "a/." }, `exec ids may not contain "." or ".." path segments`]
  ]
  it("refuses every malformed ref, saying which rule it breaks", () => {
    for (const [u, reason] of invalid) {
      const found = problem(decodeSecretRef(u))
      expect(found, JSON.stringify(u)).toBeDefined()
      expect(found, JSON.stringify(u)).toContain(reason)
    }
  })

  it("never echoes the id in the reason (a pasted secret in the id stays out of the output)", () => {
    for (const source of ["env", "file", "exec"] as const) {
      const reason = problem(decodeSecretRef({ source, provider: "p", id: "sk live secret 123" }))
      expect(reason).toBeDefined()
      expect(reason).not.toContain("sk live")
    }
  })

  it("idProblem agrees with decodeSecretRef", () => {
    expect(idProblem("exec", "a/../b")).toBe(`exec ids may not contain "." or ".." path segments`)
    expect(idProblem("file", "value")).toBeUndefined()
    expect(idProblem("env", "value")).toContain("env ids")
  })

  it("the --ref argument: <source>:<provider>:<id>, the id keeping its colons", () => {
    expect(parseSecretRefArgument("env:default:OPENAI_API_KEY")).toEqual(Either.right({ source: "env", provider: "default", id: "OPENAI_API_KEY" }))
    expect(parseSecretRefArgument("exec:vault:a:b:c")).toEqual(Either.right({ source: "exec", provider: "vault", id: "a:b:c" }))
    expect(problem(parseSecretRefArgument("env:OPENAI_API_KEY"))).toContain("<source>:<provider>:<id>")
    expect(problem(parseSecretRefArgument("vault:default:X"))).toContain("source must be")
    expect(problem(parseSecretRefArgument("env:default:lower"))).toContain("env ids")
  })

  it("keys and labels: one key per distinct ref; a label never shows a file or exec id", () => {
    expect(secretRefKey({ source: "exec", provider: "vault", id: "a" })).not.toBe(secretRefKey({ source: "file", provider: "vault", id: "a" }))
    expect(secretRefLabel({ source: "env", provider: "default", id: "OPENAI_API_KEY" })).toBe("ref env:OPENAI_API_KEY")
    expect(secretRefLabel({ source: "exec", provider: "vault", id: "openai/key" })).toBe("ref exec:vault")
    expect(secretRefLabel({ source: "file", provider: "disk", id: "/openai/key" })).toBe("ref file:disk")
  })
})

describe("secrets.providers validation (§9)", () => {
  it("fills the defaults", () => {
    expect(decodeSecretProvider({ source: "file", path: "~/s.json" })).toEqual(
      Either.right({ source: "file", path: "~/s.json", mode: "json", timeoutMs: 5000, maxBytes: 1048576, allowInsecurePath: false })
    )
    expect(decodeSecretProvider({ source: "exec", command: "/bin/x", timeoutMs: 700 })).toEqual(
      Either.right({
        source: "exec",
        command: "/bin/x",
        args: [],
        passEnv: [],
        env: {},
        timeoutMs: 700,
        noOutputTimeoutMs: 700,
        maxOutputBytes: 1048576,
        jsonOnly: true,
        allowSymlinkCommand: false,
        trustedDirs: [],
        allowInsecurePath: false
      })
    )
    expect(decodeSecretProvider({ source: "env", allowlist: ["A"] })).toEqual(Either.right({ source: "env", allowlist: ["A"] }))
  })

  const invalid: ReadonlyArray<readonly [unknown, string]> = [
    ["env", "not an object"],
    [{}, `source must be "env", "file" or "exec"`],
    [{ source: "keychain" }, `source must be "env", "file" or "exec"`],
    [{ source: "env", allowlist: "A" }, "allowlist must be a list of variable names"],
    [{ source: "env", allowlist: [1] }, "allowlist must be a list of variable names"],
    [{ source: "file" }, "path must be a file path"],
    [{ source: "file", path: "" }, "path must be a file path"],
    [{ source: "file", path: "/s", mode: "yaml" }, `mode must be "json" or "singleValue"`],
    [{ source: "file", path: "/s", timeoutMs: 0 }, "timeoutMs must be a positive whole number"],
    [{ source: "file", path: "/s", timeoutMs: 1.5 }, "timeoutMs must be a positive whole number"],
    [{ source: "file", path: "/s", maxBytes: -1 }, "maxBytes must be a positive whole number"],
    [{ source: "file", path: "/s", allowInsecurePath: "yes" }, "allowInsecurePath must be true or false"],
    [{ source: "exec" }, "command must be an absolute path"],
    [{ source: "exec", command: "op" }, "command must be an absolute path"],
    [{ source: "exec", command: "./bin/op" }, "command must be an absolute path"],
    [{ source: "exec", command: "/op", args: "read" }, "args must be a list of strings"],
    [{ source: "exec", command: "/op", passEnv: [1] }, "passEnv must be a list of variable names"],
    [{ source: "exec", command: "/op", env: { A: 1 } }, "env must be an object of string values"],
    [{ source: "exec", command: "/op", env: ["A"] }, "env must be an object of string values"],
    [{ source: "exec", command: "/op", timeoutMs: "5s" }, "timeoutMs must be a positive whole number"],
    [{ source: "exec", command: "/op", noOutputTimeoutMs: 0 }, "noOutputTimeoutMs must be a positive whole number"],
    [{ source: "exec", command: "/op", maxOutputBytes: 0 }, "maxOutputBytes must be a positive whole number"],
    [{ source: "exec", command: "/op", jsonOnly: "false" }, "jsonOnly must be true or false"],
    [{ source: "exec", command: "/op", allowSymlinkCommand: 1 }, "allowSymlinkCommand must be true or false"],
    [{ source: "exec", command: "/op", trustedDirs: "/opt" }, "trustedDirs must be a list of absolute directories"],
    [{ source: "exec", command: "/op", allowInsecurePath: null }, "allowInsecurePath must be true or false"]
  ]
  it("refuses every malformed provider, naming the field", () => {
    for (const [u, reason] of invalid) {
      const found = problem(decodeSecretProvider(u))
      expect(found, JSON.stringify(u)).toBeDefined()
      expect(found, JSON.stringify(u)).toContain(reason)
    }
  })

  it("reads the block leniently: a bad entry or alias spoils only itself", () => {
    const config = decodeSecretsConfig({
      providers: {
        good: { source: "file", path: "/s.json" },
        bad: { source: "exec", command: "op" },
        "Bad.Alias": { source: "env" }
      },
      defaults: { env: "myenv", file: "good", exec: 5 }
    })
    expect(Either.isRight(config.providers.get("good")!)).toBe(true)
    expect(problem(config.providers.get("bad")!)).toBe("command must be an absolute path")
    expect(problem(config.providers.get("Bad.Alias")!)).toContain("the alias must match")
    expect(config.defaults).toEqual({ env: "myenv", file: "good" })
    expect(decodeSecretsConfig(undefined).providers.size).toBe(0)
    expect(decodeSecretsConfig("nonsense").providers.size).toBe(0)
  })

  it("providerFor: the env default alias needs no entry; unknown, invalid and mismatched providers say why", () => {
    const config = decodeSecretsConfig({ providers: { disk: { source: "file", path: "/s" }, bad: { source: "file" } } })
    expect(providerFor(config, { source: "env", provider: "default", id: "X" })).toEqual(Either.right({ source: "env" }))
    expect(problem(providerFor(config, { source: "env", provider: "other", id: "X" }))).toContain(`no secrets provider "other" is configured`)
    expect(problem(providerFor(config, { source: "file", provider: "bad", id: "/k" }))).toBe("secrets.providers.bad is invalid: path must be a file path")
    expect(problem(providerFor(config, { source: "exec", provider: "disk", id: "k" }))).toBe(
      `secrets provider "disk" is a file provider, but the reference says exec`
    )
    const renamed = decodeSecretsConfig({ defaults: { env: "mine" } })
    expect(Either.isRight(providerFor(renamed, { source: "env", provider: "mine", id: "X" }))).toBe(true)
    expect(Either.isLeft(providerFor(renamed, { source: "env", provider: "default", id: "X" }))).toBe(true)
  })
})

describe("JSON pointers (RFC 6901)", () => {
  const doc = { "a/b": { "c~d": "1" }, "~1": "2", list: ["x", "y"], "": { "": "3" }, nested: { k: null } }
  it("unescapes ~1 then ~0, walks arrays by canonical index, names the first prefix that leads nowhere", () => {
    expect(readJsonPointer(doc, "/a~1b/c~0d")).toEqual({ found: true, value: "1" })
    expect(readJsonPointer(doc, "/~01")).toEqual({ found: true, value: "2" })
    expect(readJsonPointer(doc, "/list/1")).toEqual({ found: true, value: "y" })
    expect(readJsonPointer(doc, "//")).toEqual({ found: true, value: "3" })
    expect(readJsonPointer(doc, "/nested/k")).toEqual({ found: true, value: null })
    expect(readJsonPointer(doc, "")).toEqual({ found: true, value: doc })
    expect(readJsonPointer(doc, "/list/01")).toEqual({ found: false, missing: "/list/01" })
    expect(readJsonPointer(doc, "/list/2")).toEqual({ found: false, missing: "/list/2" })
    expect(readJsonPointer(doc, "/list/length")).toEqual({ found: false, missing: "/list/length" })
    expect(readJsonPointer(doc, "/a~1b/x/y")).toEqual({ found: false, missing: "/a~1b/x" })
    expect(readJsonPointer(doc, "/nested/k/deeper")).toEqual({ found: false, missing: "/nested/k/deeper" })
    expect(readJsonPointer(doc, "/toString")).toEqual({ found: false, missing: "/toString" })
  })
})

describe("JSON pointers, any keys", () => {
  const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1")
  // Keys drawn from a small alphabet heavy in the two escaped characters, so ~0, ~1 and ~01 turn up often.
  const key = FastCheck.string({ unit: FastCheck.constantFrom("~", "/", "0", "1", "a"), maxLength: 6 })
  it.prop("a pointer built from escaped keys reaches the value they nest it under", [FastCheck.array(key, { minLength: 1, maxLength: 4 }), FastCheck.string()], ([keys, value]) => {
    const document = keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value)
    const pointer = keys.map((k) => `/${escape(k)}`).join("")
    expect(idProblem("file", pointer)).toBeUndefined()
    expect(readJsonPointer(document, pointer)).toEqual({ found: true, value })
  })
})

describe("the exec answer, read", () => {
  it("printedValues: what a failed command printed — whole, by line, and the strings of its JSON — so its stderr cannot show it", () => {
    expect(printedValues("  Zq8RkT3vNw5YbH2mJx7LcP4d\n")).toEqual(["Zq8RkT3vNw5YbH2mJx7LcP4d"])
    expect(printedValues('{"values":{"a":"Qw3rTy8UiOp2AsDf"},"errors":{"secret/data/openai":{"message":"permission denied"}}}')).toEqual(["Qw3rTy8UiOp2AsDf"])
    // Ids and messages stay readable in the reason: they are what explains the failure.
    expect(commandDetail("cannot read secret/data/openai: permission denied", printedValues('{"errors":{"secret/data/openai":{"message":"x"}}}'))).toBe("cannot read secret/data/openai: permission denied")
    expect(printedValues("line1pass\nlogin: bob\n")).toEqual(["line1pass", "line1pass\nlogin: bob"])
    expect(commandDetail("+ printf %s 'Correct7Horse Battery2'", printedValues("Correct7Horse Battery2"))).toBe("+ printf %s '<redacted>'")
    expect(commandDetail("+ printf %s Zq8RkT3vNw5YbH2mJx7LcP4d", printedValues("Zq8RkT3vNw5YbH2mJx7LcP4d"))).toBe("+ printf %s <redacted>")
  })

  it("commandDetail: first line, bounded, control characters escaped, batch values redacted", () => {
    expect(commandDetail("  first\u0007 line\nsecond")).toBe("first\\x07 line")
    expect(commandDetail("x".repeat(300))).toBe(`${"x".repeat(200)}…`)
    expect(commandDetail("leaked sk-batch-value-123456 here", ["sk-batch-value-123456"])).toBe("leaked <redacted> here")
    // A trace of the key the resolver fetched (`set -x`): never registered anywhere, found by its shape.
    expect(commandDetail("+ printf %s sk-proj-Zq8RkT3vNw5YbH2mJx7LcP4d")).toBe("+ printf %s <redacted>")
    expect(commandDetail("token=ghp_abcdefABCDEF123456 failed")).toBe("token=<redacted> failed")
    expect(commandDetail("see sk-learn docs, task-1234567890")).toBe("see sk-learn docs, task-1234567890")
  })

  it("a JSON string answers a single id in plain mode; an object is always the protocol", () => {
    expect(readExecAnswer("x", ["value"], `"sk-quoted"\n`, false).get("value")).toEqual({ _tag: "Resolved", value: "sk-quoted" })
    expect(readExecAnswer("x", ["value"], `{"password":"sk-obj"}`, false).get("value")).toEqual({
      _tag: "Unresolved",
      reason: "x did not answer with protocolVersion 1"
    })
    // A bare number printed by a plain command is its text (a PIN), not a JSON number.
    expect(readExecAnswer("x", ["value"], `12345\n`, false).get("value")).toEqual({ _tag: "Resolved", value: "12345" })
    expect(readExecAnswer("x", ["a"], `12345\n`, true).get("a")).toEqual({ _tag: "Unresolved", reason: "x printed a number, not a JSON object" })
    expect(readExecAnswer("x", ["value"], `  padded secret  \n`, false).get("value")).toEqual({ _tag: "Resolved", value: "  padded secret  " })
  })
})
