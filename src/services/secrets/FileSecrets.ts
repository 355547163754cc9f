import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constants } from "node:fs"
import type * as fsp from "node:fs/promises"
import * as path from "node:path"
import { jsonKind, readJsonPointer } from "../../domain/JsonPointer.js"
import { pathTrustProblem } from "../../domain/SecretPathTrust.js"
import type { FileSecretProvider } from "../../domain/SecretProviders.js"
import { type Resolution, resolved, unresolved } from "../../domain/SecretResolution.js"
import { escapeControl } from "../../domain/Untrusted.js"
import { errnoCode } from "../../domain/Errors.js"

/** `~` and `~/…` with the user's home; anything else must already be absolute. */
export const expandHome = (file: string, home: string): string =>
  file === "~" ? home : file.startsWith("~/") ? path.join(home, file.slice(2)) : file

const READ_CHUNK = 64 * 1024

type Read = { readonly text: string } | { readonly problem: string }

/**
 * The provider's file, read once, or why not (§9). Only a regular file is read, checked before opening and again on
 * the descriptor (opened non-blocking, so a FIFO swapped in meanwhile cannot hold the open); it must be owned by the
 * user or root and not writable by group or others unless `allowInsecurePath`; at most `maxBytes`.
 */
const readSecretsFile = async (file: string, provider: FileSecretProvider): Promise<Read> => {
  const shown = escapeControl(file)
  // Loaded here, not with the module: only a file secrets provider needs it (../NodeFs.ts says why).
  const fs = await import("node:fs/promises")
  let handle: fsp.FileHandle | undefined
  try {
    if (!(await fs.stat(file)).isFile()) return { problem: `the secrets file ${shown} is not a regular file` }
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
    const stat = await handle.stat()
    if (!stat.isFile()) return { problem: `the secrets file ${shown} is not a regular file` }
    if (!provider.allowInsecurePath) {
      const problem = pathTrustProblem("the secrets file", file, stat, process.getuid?.())
      if (problem !== undefined) return { problem }
    }
    if (stat.size > provider.maxBytes) {
      return { problem: `the secrets file ${shown} is ${stat.size} bytes, over maxBytes (${provider.maxBytes})` }
    }
    // Read to the end, not to the size stat gave: a file that grew since is caught by the cap all the same.
    const chunks: Array<Buffer> = []
    let length = 0
    for (;;) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK, provider.maxBytes + 1 - length))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      length += bytesRead
      if (length > provider.maxBytes) return { problem: `the secrets file ${shown} is over maxBytes (${provider.maxBytes})` }
    }
    return { text: Buffer.concat(chunks, length).toString("utf8").replace(/^\uFEFF/, "") }
  } catch (e) {
    const code = errnoCode(e)
    if (code === "ENOENT" || code === "ENOTDIR") return { problem: `the secrets file ${shown} does not exist` }
    if (code === "EACCES") return { problem: `the secrets file ${shown} cannot be read (permission denied)` }
    return { problem: `the secrets file ${shown} cannot be read (${code})` }
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    // The parser's message quotes the file, which holds secrets: never passed on.
    return { ok: false }
  }
}

/** A value is a non-empty string. */
const asValue = (who: string, where: string, value: unknown): Resolution => {
  if (typeof value !== "string") return unresolved(`${who}: the value at ${where} is ${jsonKind(value)}, not a string`)
  if (value.trim() === "") return unresolved(`${who}: the value at ${where} is empty`)
  return resolved(value)
}

/**
 * Resolves `ids` of the file provider `alias` from one read of its file: in `json` mode each id is an RFC 6901
 * pointer into the JSON object the file holds; in `singleValue` mode the id is `value` and the value is the whole
 * file less its trailing newline.
 */
export const resolveFileIds = (
  alias: string,
  provider: FileSecretProvider,
  ids: ReadonlyArray<string>,
  home: string
): Effect.Effect<ReadonlyMap<string, Resolution>> =>
  Effect.gen(function* () {
    const who = `file provider "${alias}"`
    const everyId = (reason: string) => new Map(ids.map((id) => [id, unresolved(`${who}: ${reason}`)] as const))
    const file = expandHome(provider.path, home)
    if (!path.isAbsolute(file)) return everyId(`its path ${escapeControl(provider.path)} is not absolute (nor starts with ~/)`)
    const read = yield* Effect.promise(() => readSecretsFile(file, provider)).pipe(
      Effect.timeoutTo({
        duration: Duration.millis(provider.timeoutMs),
        onSuccess: (r): Read => r,
        onTimeout: (): Read => ({ problem: `reading ${escapeControl(file)} took over ${provider.timeoutMs} ms (timeoutMs)` })
      })
    )
    if ("problem" in read) return everyId(read.problem)
    if (provider.mode === "singleValue") {
      const value = read.text.replace(/\r?\n$/, "")
      const single = asValue(who, escapeControl(file), value)
      const other = unresolved(`${who}: a singleValue file has one id, "value"`)
      return new Map(ids.map((id) => [id, id === "value" ? single : other] as const))
    }
    const document = parseJson(read.text)
    if (!document.ok) return everyId(`${escapeControl(file)} is not valid JSON`)
    const kind = jsonKind(document.value)
    if (kind !== "an object") return everyId(`${escapeControl(file)} holds ${kind}, not a JSON object`)
    return new Map(
      ids.map((id) => {
        if (!id.startsWith("/")) {
          return [id, unresolved(`${who}: in json mode an id is a JSON pointer such as /providers/openai/apiKey`)] as const
        }
        const target = readJsonPointer(document.value, id)
        return [
          id,
          target.found
            ? asValue(who, escapeControl(id), target.value)
            : unresolved(`${who}: ${escapeControl(file)} has nothing at ${escapeControl(target.missing)}`)
        ] as const
      })
    )
  })
