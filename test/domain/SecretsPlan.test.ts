import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { commentedValue, removeDotEnvAssignments } from "../../src/domain/DotEnv.js"
import { decodePlan, planRunsCommands } from "../../src/domain/SecretsPlan.js"

const ENV_REF = { source: "env", provider: "default", id: "OPENAI_API_KEY" }
const apiKey = { type: "models.providers.apiKey", path: "models.providers.openai.apiKey", ref: ENV_REF }
const storeKey = { type: "auth-profiles.api_key.key", path: "profiles.openai:default.key", agentId: "main", ref: ENV_REF }
const plan = (...targets: ReadonlyArray<unknown>) => ({ version: 1, protocolVersion: 1, targets })

const problems = (u: unknown): ReadonlyArray<string> => Either.match(decodePlan(u), { onLeft: (p) => p, onRight: () => [] })

describe("secrets plan validation (§9, OpenClaw's plan contract)", () => {
  it.each([
    ["every registered type at its path", plan(
      apiKey,
      { type: "models.providers.*.apiKey", path: "models.providers.local.apiKey", providerId: "local", ref: ENV_REF },
      { type: "models.providers.headers", path: "models.providers.openai.headers.x-api-key", pathSegments: ["models", "providers", "openai", "headers", "x-api-key"], providerId: "openai", ref: ENV_REF },
      { type: "gateway.auth.token", path: "gateway.auth.token", ref: { source: "env", provider: "default", id: "OPENCLAW_GATEWAY_TOKEN" } },
      storeKey,
      { type: "auth-profiles.api_key.key", path: "profiles.openai:work.keyRef", agentId: "work", ref: ENV_REF },
      { type: "auth-profiles.token.token", path: "profiles.anthropic:manual.token", agentId: "main", ref: { source: "exec", provider: "vault", id: "anthropic/token" } },
      // A profile id with a dot: pathSegments say where the segments are.
      { type: "auth-profiles.token.token", path: "profiles.anthropic:me.work.token", pathSegments: ["profiles", "anthropic:me.work", "token"], agentId: "main", ref: ENV_REF }
    )],
    ["a plan with provider changes and no targets", { ...plan(), providerUpserts: { vault: { source: "exec", command: "/usr/bin/vault-resolver" } }, providerDeletes: ["old"] }]
  ])("accepts %s", (_, u) => {
    expect(problems(u)).toEqual([])
  })

  it.each([
    ["not an object", [], "the plan is not a JSON object"],
    ["version 2", { ...plan(apiKey), version: 2 }, "version must be 1"],
    ["protocolVersion missing", { version: 1, targets: [apiKey] }, "protocolVersion must be 1"],
    ["targets not a list", { version: 1, protocolVersion: 1, targets: {} }, "targets must be a list"],
    ["a target that is not an object", plan("models.providers.openai.apiKey"), "targets[0]: a target is an object"],
    ["an unknown type", plan({ ...apiKey, type: "models.providers.baseUrl" }), 'targets[0]: unknown target type "models.providers.baseUrl"'],
    ["an empty path", plan({ ...apiKey, path: "" }), "targets[0]: path must be a non-empty dot path"],
    ["an empty segment", plan({ ...apiKey, path: "models..openai.apiKey" }), "has an empty segment"],
    ["a path of another shape", plan({ ...apiKey, path: "models.providers.openai.baseUrl" }), "Invalid plan target path for models.providers.apiKey: models.providers.openai.baseUrl"],
    ["a path too deep", plan({ ...apiKey, path: "models.providers.openai.apiKey.x" }), "Invalid plan target path"],
    ["__proto__", plan({ ...apiKey, path: "models.providers.__proto__.apiKey" }), 'path segment "__proto__" is forbidden'],
    ["prototype", plan({ ...storeKey, path: "profiles.prototype.key" }), 'path segment "prototype" is forbidden'],
    ["constructor (in pathSegments)", plan({ ...apiKey, path: "models.providers.constructor.apiKey", pathSegments: ["models", "providers", "constructor", "apiKey"] }), 'path segment "constructor" is forbidden'],
    ["pathSegments not matching path", plan({ ...apiKey, pathSegments: ["models", "providers", "anthropic", "apiKey"] }), "pathSegments do not spell path"],
    ["pathSegments not strings", plan({ ...apiKey, pathSegments: ["models", 1, "openai", "apiKey"] }), "pathSegments must be a list of non-empty strings"],
    ["providerId not matching the path", plan({ ...apiKey, providerId: "anthropic" }), "providerId does not match the provider in path"],
    ["providerId where there is none", plan({ type: "gateway.auth.token", path: "gateway.auth.token", providerId: "openai", ref: ENV_REF }), "providerId does not apply"],
    ["a store target without agentId", plan({ ...storeKey, agentId: undefined }), "auth-profile targets need agentId"],
    ["agentId on a config target", plan({ ...apiKey, agentId: "main" }), "agentId applies only to auth-profile targets"],
    ["a token path under the api_key type", plan({ ...storeKey, path: "profiles.openai:default.token" }), "Invalid plan target path for auth-profiles.api_key.key"],
    ["a profile id without provider", plan({ ...storeKey, path: "profiles.default.key" }), 'profile id "default" is not <provider>:<name>'],
    ["no ref", plan({ ...apiKey, ref: undefined }), "ref: a secret reference is an object"],
    ["a ref with an unknown source", plan({ ...apiKey, ref: { ...ENV_REF, source: "vault" } }), "ref: source must be one of env, file, exec"],
    ["a ref with a bad alias", plan({ ...apiKey, ref: { ...ENV_REF, provider: "Default" } }), "ref: provider must be an alias"],
    ["an env ref that is no variable name", plan({ ...apiKey, ref: { ...ENV_REF, id: "openai-key" } }), "ref: env ids are variable names"],
    ["an exec id with ..", plan({ ...apiKey, ref: { source: "exec", provider: "vault", id: "a/../b" } }), 'ref: exec ids may not contain "." or ".."'],
    ["a file id that is no pointer", plan({ ...apiKey, ref: { source: "file", provider: "f", id: "providers.openai" } }), "ref: file ids are an absolute JSON pointer"],
    ["two targets of one place", plan(apiKey, { ...apiKey, type: "models.providers.*.apiKey" }), "targets[1]: models.providers.openai.apiKey is already the target of targets[0]"],
    ["a bad provider alias upserted", { ...plan(), providerUpserts: { Vault: { source: "env" } } }, 'providerUpserts: alias "Vault" must match'],
    ["a bad provider upserted", { ...plan(), providerUpserts: { vault: { source: "exec", command: "vault" } } }, "providerUpserts.vault: command must be an absolute path"],
    ["providerDeletes not a list", { ...plan(), providerDeletes: "old" }, "providerDeletes must be a list of aliases"],
    ["a provider both upserted and deleted", { ...plan(), providerUpserts: { vault: { source: "env" } }, providerDeletes: ["vault"] }, 'providerDeletes: "vault" is also in providerUpserts']
  ])("refuses %s", (_, u, expected) => {
    const found = problems(u)
    expect(found.length).toBeGreaterThan(0)
    expect(found.join("\n")).toContain(expected)
  })

  it("reports every bad target, not only the first", () => {
    const found = problems(plan({ ...apiKey, path: "x" }, apiKey, { ...storeKey, agentId: undefined }))
    expect(found.map((p) => p.slice(0, 11))).toEqual(["targets[0]:", "targets[2]:"])
  })

  it("a problem never repeats a value given where a ref belongs", () => {
    const secret = "sk-proj-FAKE" + "x".repeat(40)
    expect(problems(plan({ ...apiKey, ref: secret })).join("\n")).not.toContain(secret)
    expect(problems(plan({ ...apiKey, ref: { ...ENV_REF, id: secret } })).join("\n")).not.toContain(secret)
  })

  it("knows which plans run commands (exec refs or exec providers)", () => {
    const decoded = (u: unknown) => Either.getOrThrow(decodePlan(u))
    expect(planRunsCommands(decoded(plan(apiKey)))).toBe(false)
    expect(planRunsCommands(decoded(plan({ ...apiKey, ref: { source: "exec", provider: "vault", id: "k" } })))).toBe(true)
    expect(planRunsCommands(decoded({ ...plan(), providerUpserts: { v: { source: "exec", command: "/bin/v" } } }))).toBe(true)
  })
})

describe("removeDotEnvAssignments", () => {
  it("takes out the chosen assignments, multi-line values included, and keeps every other byte", () => {
    const text = "# keys\r\nexport A=one # c\r\nB='two'\r\nC=\"three\r\nlines\"\r\nD=keep\r\n"
    const out = removeDotEnvAssignments(text, (key, value) => key !== "D" && value !== "two")
    expect(out.removed).toEqual(["A", "C"])
    expect(out.text).toBe("# keys\r\nB='two'\r\nD=keep\r\n")
    expect(removeDotEnvAssignments(text, () => false).text).toBe(text)
  })

  it("takes out comment lines holding a scrubbed value (an old copy kept by hand), never a line of a kept value", () => {
    const secret = "sk-proj-Q7fK2mZp9LxR4vTb8NcW3hJd6Ye1"
    const text = `#OPENAI_API_KEY=${secret}\nOPENAI_API_KEY=${secret}\n  # backup: ${secret}\nNOTE="multi\n# ${secret}\nline"\n# unrelated\n`
    const out = removeDotEnvAssignments(text, (_, value) => value === secret, (line) => line.includes(secret))
    expect(out.removed).toEqual(["OPENAI_API_KEY", "a comment (line 1)", "a comment (line 3)"])
    expect(out.text).toBe(`NOTE="multi\n# ${secret}\nline"\n# unrelated\n`)
    // What secrets apply passes: a commented-out assignment whose value is the replaced one, as dotenv reads it.
    expect(["#OPENAI_API_KEY=changeme", "# export OPENAI_API_KEY='changeme' # old", "#  X = \"changeme\""].map(commentedValue)).toEqual(["changeme", "changeme", "changeme"])
    expect(["# changeme before deploying", "#", "# KEY=", "#not an assignment"].map(commentedValue)).toEqual([undefined, undefined, undefined, undefined])
  })
})
