/**
 * scripts/secret-resolvers/README.md stays true: each provider entry decodes as openclaw reads secrets.providers
 * (an exec provider whose command is one of the resolvers, PATH passed for `#!/usr/bin/env node`), and each keyRef
 * example is a valid SecretRef to one of those providers.
 */
import { Either } from "effect"
import JSON5 from "json5"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { decodeSecretsConfig, type ExecSecretProvider } from "../../src/domain/SecretProviders.js"
import { decodeSecretRef } from "../../src/domain/SecretRef.js"
import { RESOLVERS_DIR } from "./resolverHarness.js"

describe("scripts/secret-resolvers/README.md", () => {
  it("every provider entry decodes as an exec provider naming a resolver here; every keyRef is a valid ref to one", async () => {
    const readme = await fs.readFile(path.join(RESOLVERS_DIR, "README.md"), "utf8")
    const blocks = (lang: string) => [...readme.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!)
    const providers = new Map<string, ExecSecretProvider>()
    for (const block of blocks("json5")) {
      const config = decodeSecretsConfig(JSON5.parse<{ secrets: unknown }>(block).secrets)
      for (const [alias, decoded] of config.providers) {
        const provider = Either.getOrThrowWith(decoded, (problem) => new Error(`${alias}: ${problem}`))
        if (provider.source !== "exec") throw new Error(`${alias} is not an exec provider`)
        providers.set(alias, provider)
      }
    }
    expect([...providers.keys()].sort()).toEqual(["keychain", "keyring", "onepassword", "pass"])
    const scripts = await fs.readdir(RESOLVERS_DIR)
    for (const provider of providers.values()) {
      expect(scripts).toContain(path.basename(provider.command))
      expect(provider.passEnv).toContain("PATH")
    }
    const refs = blocks("json").map((block) => Object.values(JSON.parse(`{${block}}`) as Record<string, { keyRef: unknown }>)[0]!.keyRef)
    expect(refs).toHaveLength(4)
    for (const ref of refs) {
      const decoded = Either.getOrThrowWith(decodeSecretRef(ref), (problem) => new Error(problem))
      expect(providers.has(decoded.provider)).toBe(true)
    }
  })
})
