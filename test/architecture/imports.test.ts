/**
 * House rules that a reader should not have to check by hand: no import circles under src/, and the
 * cheap layering arrows (domain/ imports only `effect` and domain/; programs/ never imports `node:*`).
 * Imports are read with TypeScript's own pre-processor, so comments and strings never count, while
 * `import type`, `export … from` and dynamic `import()` all do: a type-only circle is still a circle.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const SRC = resolve(import.meta.dirname, "../../src")

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : []
  })

/** A file's name as the report shows it: `gateway/Http.ts`. */
const name = (file: string): string => relative(SRC, file).split(sep).join("/")

interface Imports {
  /** Relative imports, resolved to the .ts file they name. */
  readonly local: ReadonlyArray<string>
  /** Everything else, as written (`effect/Schema`, `node:fs`). */
  readonly external: ReadonlyArray<string>
  readonly unresolved: ReadonlyArray<string>
}

const importsOf = (file: string): Imports => {
  const specifiers = ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName)
  const local: Array<string> = []
  const external: Array<string> = []
  const unresolved: Array<string> = []
  for (const specifier of specifiers) {
    if (!specifier.startsWith(".")) {
      external.push(specifier)
      continue
    }
    const target = resolve(dirname(file), specifier)
    const candidates = [target.replace(/\.js$/, ".ts"), target.replace(/\.js$/, ".tsx"), target]
    const found = candidates.find((candidate) => candidate.startsWith(SRC) && existsSync(candidate) && candidate.endsWith(".ts"))
    if (found === undefined) unresolved.push(specifier)
    else local.push(found)
  }
  return { local, external, unresolved }
}

const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)] as const))

/** Tarjan's strongly connected components: every component with more than one file (or a self-import) is a circle. */
const circles = (): Array<Array<string>> => {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  const visit = (file: string): void => {
    index.set(file, counter)
    low.set(file, counter)
    counter++
    stack.push(file)
    onStack.add(file)
    for (const next of graph.get(file)?.local ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(file, Math.min(low.get(file)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!))
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: Array<string> = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== file)
      const selfImport = graph.get(file)?.local.includes(file) ?? false
      if (component.length > 1 || selfImport) found.push(component)
    }
  }
  for (const file of graph.keys()) if (!index.has(file)) visit(file)
  return found
}

/** One concrete loop inside a component, for a message a reader can follow: a → b → c → a. */
const loopThrough = (component: ReadonlyArray<string>): string => {
  const members = new Set(component)
  const start = [...component].sort()[0]!
  const path: Array<string> = [start]
  const seen = new Set<string>([start])
  const walk = (file: string): boolean => {
    for (const next of graph.get(file)?.local ?? []) {
      if (next === start) return true
      if (!members.has(next) || seen.has(next)) continue
      seen.add(next)
      path.push(next)
      if (walk(next)) return true
      path.pop()
    }
    return false
  }
  walk(start)
  return [...path, start].map(name).join(" → ")
}

const filesUnder = (folder: string) => [...graph.entries()].filter(([file]) => name(file).startsWith(`${folder}/`))

describe("imports under src/", () => {
  it("every relative import names a file that exists", () => {
    const broken = [...graph.entries()].flatMap(([file, { unresolved }]) => unresolved.map((s) => `${name(file)}: ${s}`))
    expect(broken).toEqual([])
  })

  it("form no circles", () => {
    expect(graph.size).toBeGreaterThan(50)
    expect(circles().map(loopThrough)).toEqual([])
  })

  it("domain/ imports only effect and domain/", () => {
    const domain = join(SRC, "domain") + sep
    const wrong = filesUnder("domain").flatMap(([file, { external, local }]) => [
      ...external.filter((s) => s !== "effect" && !s.startsWith("effect/")).map((s) => `${name(file)}: ${s}`),
      ...local.filter((target) => !target.startsWith(domain)).map((target) => `${name(file)}: ${name(target)}`)
    ])
    expect(wrong).toEqual([])
  })

  it("programs/ never imports node:*", () => {
    const wrong = filesUnder("programs").flatMap(([file, { external }]) =>
      external.filter((s) => s.startsWith("node:")).map((s) => `${name(file)}: ${s}`)
    )
    expect(wrong).toEqual([])
  })
})
