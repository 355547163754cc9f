import * as Effect from "effect/Effect"
import { constants } from "node:fs"
import * as path from "node:path"
import { commandDetail, execRequest, printedValues, readExecAnswer } from "../../domain/SecretExecProtocol.js"
import { directoryTrustProblem, pathTrustProblem } from "../../domain/SecretPathTrust.js"
import type { ExecSecretProvider } from "../../domain/SecretProviders.js"
import { type Resolution, unresolved } from "../../domain/SecretResolution.js"
import { escapeControl } from "../../domain/Untrusted.js"
import { type ExecOutcome, runExec } from "./ExecRun.js"
import { errnoCode } from "../../domain/Errors.js"

const isInside = (dir: string, file: string): boolean => {
  const relative = path.relative(dir, file)
  return relative !== "" && !relative.startsWith(`..${path.sep}`) && relative !== ".." && !path.isAbsolute(relative)
}

/**
 * The path to run for `provider.command`, or why it may not run (§9): absolute; a regular file; a symlink only with
 * `allowSymlinkCommand`, and then its real path under one of `trustedDirs` (resolved too: a trusted dir that is
 * itself a link counts where it points); when `trustedDirs` is set, any command must lie under one; owned by the
 * user or root and not writable by group or others unless `allowInsecurePath`; executable.
 */
export const checkCommand = (
  provider: ExecSecretProvider
): Effect.Effect<{ readonly file: string } | { readonly problem: string }> =>
  Effect.promise(async () => {
    const shown = escapeControl(provider.command)
    if (!path.isAbsolute(provider.command)) return { problem: `its command ${shown} is not an absolute path` }
    // Loaded here, not with the module: only an exec secrets provider needs it (../NodeFs.ts says why).
    const fs = await import("node:fs/promises")
    let link: Awaited<ReturnType<typeof fs.lstat>>
    try {
      link = await fs.lstat(provider.command)
    } catch (e) {
      const code = errnoCode(e)
      return { problem: code === "ENOENT" ? `its command ${shown} does not exist` : `its command ${shown} cannot be examined (${code})` }
    }
    let file = provider.command
    if (link.isSymbolicLink()) {
      if (!provider.allowSymlinkCommand) {
        return {
          problem: `its command ${shown} is a symlink; set allowSymlinkCommand: true and trustedDirs to the directories its target may be in`
        }
      }
      if (provider.trustedDirs.length === 0) {
        return {
          problem: `its command ${shown} is a symlink and trustedDirs is empty: name the directories its target may be in`
        }
      }
      try {
        file = await fs.realpath(provider.command)
      } catch (e) {
        return { problem: `its command ${shown} is a symlink that leads nowhere (${errnoCode(e)})` }
      }
    }
    if (provider.trustedDirs.length > 0) {
      const trusted = await Promise.all(provider.trustedDirs.map((dir) => fs.realpath(dir).catch(() => path.resolve(dir))))
      if (!trusted.some((dir) => isInside(dir, file))) {
        const dirs = provider.trustedDirs.map(escapeControl).join(", ")
        return { problem: `its command ${shown} is ${escapeControl(file)}, outside trustedDirs (${dirs})` }
      }
    }
    const stat = await fs.stat(file).catch(() => undefined)
    if (stat === undefined || !stat.isFile()) return { problem: `its command ${escapeControl(file)} is not a regular file` }
    if (!provider.allowInsecurePath) {
      const problem = pathTrustProblem("its command", file, stat, process.getuid?.())
      if (problem !== undefined) return { problem }
      const dir = path.dirname(file)
      const dirStat = await fs.stat(dir).catch(() => undefined)
      const inDir = dirStat === undefined ? undefined : directoryTrustProblem(`its command ${escapeControl(file)}`, dir, dirStat, process.getuid?.())
      if (inDir !== undefined) return { problem: inDir }
    }
    const executable = await fs.access(file, constants.X_OK).then(() => true, () => false)
    if (!executable) return { problem: `its command ${escapeControl(file)} is not executable (chmod u+x it)` }
    return { file }
  })

/** Why every id of the run failed, from an outcome that holds no answer. */
const failure = (provider: ExecSecretProvider, outcome: ExecOutcome): string => {
  switch (outcome._tag) {
    case "TimedOut":
    case "Silent":
      // The command had answered and exited: what it started in the background (a daemon, an agent) kept the pipe.
      if (outcome.exited === true) {
        return `exited, but something it started kept its output open past ${outcome._tag === "TimedOut" ? `${provider.timeoutMs} ms (timeoutMs)` : `${provider.noOutputTimeoutMs} ms without output (noOutputTimeoutMs)`}, so its answer was not taken; make what it starts in the background write elsewhere (>/dev/null 2>&1)`
      }
      return outcome._tag === "TimedOut"
        ? `timed out after ${provider.timeoutMs} ms (timeoutMs) and was killed`
        : `was killed: no output for ${provider.noOutputTimeoutMs} ms (noOutputTimeoutMs)`
    case "TooMuchOutput":
      return `was killed: its output exceeds ${provider.maxOutputBytes} bytes (maxOutputBytes)`
    case "SpawnFailed":
      return `could not be started (${outcome.code})`
    case "Exited": {
      const how = outcome.code === null ? `was killed by ${outcome.signal ?? "a signal"}` : `exited with code ${outcome.code}`
      const detail = commandDetail(outcome.stderr, printedValues(outcome.stdout))
      return detail === "" ? how : `${how}: ${detail}`
    }
  }
}

/**
 * Resolves `ids` (distinct, valid exec ids) of the exec provider `alias` with ONE run of its command: every id in
 * one request, every id's resolution from the one answer. `env` is the assembled environment, of which only the
 * variables named in `passEnv` reach the command (then the provider's own `env`).
 */
export const resolveExecIds = (
  alias: string,
  provider: ExecSecretProvider,
  ids: ReadonlyArray<string>,
  env: (name: string) => string | undefined
): Effect.Effect<ReadonlyMap<string, Resolution>> =>
  Effect.gen(function* () {
    const who = `exec provider "${alias}"`
    const everyId = (reason: string) => new Map(ids.map((id) => [id, unresolved(`${who} ${reason}`)] as const))
    const command = yield* checkCommand(provider)
    if ("problem" in command) return everyId(`cannot run: ${command.problem}`)
    // fromEntries defines properties: a configured "__proto__" stays a variable, not a prototype.
    const childEnv = Object.fromEntries([
      ...provider.passEnv.flatMap((name) => {
        const value = env(name)
        return value === undefined ? [] : [[name, value] as const]
      }),
      ...Object.entries(provider.env)
    ])
    const outcome = yield* runExec({
      file: command.file,
      argv0: provider.command,
      args: provider.args,
      env: childEnv,
      cwd: path.dirname(command.file),
      input: execRequest(alias, ids),
      timeoutMs: provider.timeoutMs,
      noOutputTimeoutMs: provider.noOutputTimeoutMs,
      maxOutputBytes: provider.maxOutputBytes
    })
    if (outcome._tag === "Exited" && outcome.code === 0) return readExecAnswer(who, ids, outcome.stdout, provider.jsonOnly)
    return everyId(failure(provider, outcome))
  })
