import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { JsonObject } from "../domain/AuthStore.js"
import { UsageError } from "../domain/Errors.js"
import { isPrototypeKey } from "../domain/JsonStructure.js"
import { envVarFor } from "../domain/Onboard.js"
import { normalizeProvider } from "../domain/Provider.js"
import { type FieldChoice, fieldChoices, newProfileTarget, providerEntry, providersAfter } from "../domain/SecretsConfigure.js"
import type { PlanTarget } from "../domain/SecretsPlan.js"
import { DEFAULT_ENV_PROVIDER, idProblem, PROVIDER_ALIAS, type SecretRef, secretRefLabel, type SecretSource } from "../domain/SecretRef.js"
import { Prompter } from "../services/Prompter.js"
import { askUntil } from "./OnboardWizard.js"

/** The questions of `openclaw secrets configure` (§9): providers first, then fields mapped to refs. */

type Providers = { readonly upserts: Map<string, Readonly<Record<string, unknown>>>; readonly deletes: Set<string> }
type Raw = Readonly<Record<string, unknown>>

const str = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)
const joined = (u: unknown, sep: string): string | undefined =>
  Array.isArray(u) && u.length > 0 ? u.filter((s) => typeof s === "string").join(sep) : undefined

/** The fields of one provider entry, asked until the entry is one the resolver accepts. */
const askProvider = (source: SecretSource, existing: Raw | undefined) =>
  Effect.gen(function* () {
    const p = yield* Prompter
    const answers = Effect.gen(function* () {
      if (source === "env") {
        return { allowlist: yield* p.text("Variables it may read, comma-separated (empty: any)", joined(existing?.allowlist, ", ")) }
      }
      if (source === "file") {
        const path = yield* p.text("Path of the secrets file (~ is your home)", str(existing?.path))
        const mode = yield* p.choose("What does the file hold?", [
          { title: "JSON", value: "json", description: "refs name a JSON pointer such as /providers/openai/apiKey" },
          { title: "One value", value: "singleValue", description: "the whole file (trimmed) is the secret" }
        ])
        return { path, mode }
      }
      const command = yield* p.text("Absolute path of the resolver command (run without a shell)", str(existing?.command))
      const args = yield* p.text("Its arguments, space-separated (empty: none)", joined(existing?.args, " "))
      const passEnv = yield* p.text("Variables passed to it, comma-separated (empty: none)", joined(existing?.passEnv, ", "))
      const jsonOnly = yield* p.confirm("Does it answer with the JSON protocol? (no: its whole output is one secret)", existing?.jsonOnly !== false)
      return { command, args, passEnv, jsonOnly }
    })
    for (let attempt = 1; ; attempt++) {
      const entry = providerEntry(source, yield* answers, existing)
      if (Either.isRight(entry)) return entry.right
      const problem = `that ${source} provider would not work: ${entry.left}`
      if (attempt >= 3) return yield* new UsageError({ problem, fix: "run `openclaw secrets configure` again" })
      yield* Console.error(`${problem}. Try again.`)
    }
  })

/** A wrong answer; after the third the wizard stops with it. */
const again = (problem: string) => new UsageError({ problem, fix: "run `openclaw secrets configure` again" })
const say = (e: UsageError) => `${e.problem[0]!.toUpperCase()}${e.problem.slice(1)}.`

const SOURCES: ReadonlyArray<{ title: string; value: SecretSource; description: string }> = [
  { title: "env", value: "env", description: "a variable of the environment openclaw runs in" },
  { title: "file", value: "file", description: "a JSON or one-value file only you can write" },
  { title: "exec", value: "exec", description: "a command that prints it (1Password, Vault, pass, a keychain)" }
]

/** Add, edit and remove `secrets.providers` entries; nothing is written here. */
export const setUpProviders = (configRaw: JsonObject) =>
  Effect.gen(function* () {
    const p = yield* Prompter
    const changes: Providers = { upserts: new Map(), deletes: new Set() }
    for (;;) {
      const current = providersAfter(configRaw, changes.upserts, changes.deletes)
      const aliases = [...current.keys()]
      const next = yield* p.choose("Secrets providers: what next?", [
        { title: "Continue", value: "done", description: aliases.length > 0 ? aliases.join(", ") : `none yet (env refs can use "${DEFAULT_ENV_PROVIDER}")` },
        { title: "Add a provider", value: "add", description: "env, file or exec" },
        ...aliases.map((a) => ({ title: `Edit ${a}`, value: `edit:${a}`, description: String(current.get(a)?.source ?? "?") })),
        ...aliases.map((a) => ({ title: `Remove ${a}`, value: `remove:${a}`, description: "refs that use it stop resolving" }))
      ])
      if (next === "done") return changes
      if (next === "add") {
        const alias = yield* askUntil(
          p.text("Alias of the new provider (lower-case, e.g. vault)"),
          (a): Either.Either<string, UsageError> =>
            !PROVIDER_ALIAS.test(a) || isPrototypeKey(a)
              ? Either.left(again(`an alias matches ${PROVIDER_ALIAS.source}`))
              : current.has(a)
                ? Either.left(again(`${a} exists already (edit it instead)`))
                : Either.right(a),
          say
        )
        const source = yield* p.choose(`Where does ${alias} read secrets from?`, SOURCES)
        changes.upserts.set(alias, yield* askProvider(source, undefined))
        changes.deletes.delete(alias)
      } else if (next.startsWith("edit:")) {
        const alias = next.slice(5)
        const existing = current.get(alias)!
        const source = SOURCES.find((s) => s.value === existing.source)?.value ?? (yield* p.choose(`Where does ${alias} read secrets from?`, SOURCES))
        changes.upserts.set(alias, yield* askProvider(source, existing))
      } else {
        const alias = next.slice(7)
        if (yield* p.confirm(`Remove provider ${alias}? Refs that use it will no longer resolve.`, false)) {
          changes.upserts.delete(alias)
          if (Predicate.isRecord(configRaw.secrets)) changes.deletes.add(alias)
        }
      }
    }
  })

/** Source, provider alias and id of one ref; a lone provider of the source is taken without asking. */
const askRef = (providers: ReadonlyMap<string, Raw>, suggestedEnv: string | undefined) =>
  Effect.gen(function* () {
    const p = yield* Prompter
    const ofSource = (s: SecretSource) => [...providers].filter(([, e]) => e.source === s).map(([a]) => a)
    const envAliases = [...new Set([...(providers.has(DEFAULT_ENV_PROVIDER) ? [] : [DEFAULT_ENV_PROVIDER]), ...ofSource("env")])]
    const offered = SOURCES.filter((s) => s.value === "env" || ofSource(s.value).length > 0)
    const source = offered.length === 1 ? "env" : yield* p.choose("Where does this secret live?", offered)
    const aliases = source === "env" ? envAliases : ofSource(source)
    const provider = aliases.length === 1 ? aliases[0]! : yield* p.choose(`Which ${source} provider?`, aliases.map((a) => ({ title: a, value: a })))
    if (source === "file" && providers.get(provider)?.mode === "singleValue") return { source, provider, id: "value" } satisfies SecretRef
    const question =
      source === "env"
        ? `Variable name${suggestedEnv ? ` (Enter: ${suggestedEnv})` : " (e.g. OPENAI_API_KEY)"}`
        : source === "file"
          ? "JSON pointer of the secret in the file (e.g. /providers/openai/apiKey)"
          : "Id to ask the resolver for (e.g. openai/api-key)"
    const id = yield* askUntil(
      p.text(question, source === "env" ? suggestedEnv : undefined),
      (answer): Either.Either<string, UsageError> => {
        const problem = idProblem(source, answer.trim())
        return problem === undefined ? Either.right(answer.trim()) : Either.left(again(`not a valid id: ${problem}`))
      },
      say
    )
    return { source, provider, id } satisfies SecretRef
  })

/** Fields of the agent's store and the config, each mapped to a ref the user picks; creating a profile too. */
export const mapFields = (configRaw: JsonObject, storeRaw: JsonObject, agentId: string, providers: ReadonlyMap<string, Raw>) =>
  Effect.gen(function* () {
    const p = yield* Prompter
    const fields = fieldChoices(configRaw, storeRaw, agentId)
    const chosen = new Map<string, PlanTarget>()
    const known = (id: string) => fields.some((f) => f.value === `store:${id}`) || chosen.has(`store:${id}`)
    for (;;) {
      const mapped = (f: FieldChoice) => chosen.get(f.value)
      const done = { title: "Done", value: "done", description: `${chosen.size} field${chosen.size === 1 ? "" : "s"} mapped` }
      const items = [
        ...fields.map((f) => ({ title: f.title, value: f.value, description: mapped(f) ? `→ ${secretRefLabel(mapped(f)!.ref)}` : f.description })),
        { title: "A new auth profile", value: "new", description: `created in agent ${agentId}'s store, holding only the ref` }
      ]
      const next = yield* p.choose("Which credential field should hold a ref?", chosen.size > 0 ? [done, ...items] : [...items, done])
      if (next === "done") return [...chosen.values()]
      if (next === "new") {
        const id = yield* askUntil(
          p.text("Id of the new profile (<provider>:<name>, e.g. openai:vault)"),
          (a): Either.Either<string, UsageError> => {
            const t = a.trim()
            if (!/^[^:\s]+:[^\s]+$/.test(t) || t.split(/[.:]/).some(isPrototypeKey)) return Either.left(again("a profile id is <provider>:<name>"))
            return known(t) ? Either.left(again(`${t} exists already: pick it from the list`)) : Either.right(t)
          },
          say
        )
        const provider = normalizeProvider(id.split(":", 1)[0]!)
        const type = yield* p.choose(`What does ${id} hold?`, [
          { title: "An API key", value: "api_key" as const },
          { title: "A token", value: "token" as const }
        ])
        const ref = yield* askRef(providers, envVarFor(provider, type))
        chosen.set(`store:${id}`, newProfileTarget(agentId, id, provider, type, ref))
        continue
      }
      const field = fields.find((f) => f.value === next)!
      const ref = yield* askRef(providers, field.suggestedEnv)
      chosen.set(field.value, field.target(ref))
      yield* Console.error(`${field.title} → ${secretRefLabel(ref)}`)
    }
  })
