/**
 * Claude Code itself (`@anthropic-ai/claude-code`, a devDependency) as a client in end-to-end tests: `claude -p …
 * --output-format json` in a scratch HOME, talking only to ANTHROPIC_BASE_URL.
 *
 * The npm package is a wrapper: the native binary arrives in the platform's optionalDependency
 * (`@anthropic-ai/claude-code-linux-x64`, …) and the wrapper's postinstall links it over `bin/claude.exe`. npm 11 may
 * skip dependency install scripts (allowScripts), which would leave a stub there, so the binary is taken from the
 * platform package directly — as the wrapper's own cli-wrapper.cjs does.
 *
 * Offline: with CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 it opens one connection, to ANTHROPIC_BASE_URL (checked
 * with strace for 2.1.332; without the variable it also resolves outside hosts and sends `HEAD /api/hello` to the
 * base URL). A proxy that does not exist stands in front of every other host, so a version that tried more would
 * fail here instead of reaching the internet.
 */
import { existsSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { type Outcome, REPO, runChild } from "./Child.js"
import { scaled } from "./Timing.js"

const requireHere = createRequire(path.join(REPO, "package.json"))

/** The platform key as the wrapper's install.cjs computes it (glibc Linux here). */
const platformKey = (): string => {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  const musl = process.platform === "linux" && report?.header?.glibcVersionRuntime === undefined
  return `${process.platform}-${process.arch}${musl ? "-musl" : ""}`
}

/** The native `claude` binary, or a message saying why it is not there and how to get it. */
export const findClaudeBinary = (): { readonly path: string } | { readonly missing: string } => {
  const key = platformKey()
  const pkg = `@anthropic-ai/claude-code-${key}`
  try {
    const dir = path.dirname(requireHere.resolve(`${pkg}/package.json`))
    const bin = path.join(dir, process.platform === "win32" ? "claude.exe" : "claude")
    if (existsSync(bin) && statSync(bin).size > 1_000_000) return { path: bin }
    return { missing: `${bin} is missing or a stub; run npm ci` }
  } catch {
    return { missing: `${pkg} is not installed (npm ci installs it as an optional dependency of @anthropic-ai/claude-code)` }
  }
}

export interface ClaudeRunOptions {
  /** ANTHROPIC_BASE_URL: the gateway, or a fake provider. */
  readonly baseUrl: string
  /** ANTHROPIC_AUTH_TOKEN (sent as `Authorization: Bearer`). */
  readonly authToken?: string
  /** ANTHROPIC_API_KEY (sent as `x-api-key`). */
  readonly apiKey?: string
  readonly prompt: string
  /** Scratch HOME (Claude Code writes ~/.claude and ~/.claude.json there). */
  readonly home: string
  /** Working directory (the project Claude Code sees). */
  readonly cwd: string
  /** More arguments: `--model`, `--allowedTools`, … */
  readonly args?: ReadonlyArray<string>
  /** CLAUDE_CODE_MAX_RETRIES (default 0). Claude Code retries even a 401 ten times, over about 200 s (measured with
   * 2.1.332), so with its own retries a failing test would take minutes; at 0 the first answer is the outcome. */
  readonly maxRetries?: number
  readonly timeoutMs?: number
}

export interface ClaudeRun {
  readonly outcome: Outcome
  /** The `--output-format json` result (`result`, `is_error`, `num_turns`, `usage`…); undefined when stdout is not JSON. */
  readonly json: any
}

const DEAD_PROXY = "http://127.0.0.1:9"

export const runClaude = async (options: ClaudeRunOptions): Promise<ClaudeRun> => {
  const found = findClaudeBinary()
  if (!("path" in found)) throw new Error(`Claude Code is not installed: ${found.missing}`)
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: options.home,
    ANTHROPIC_BASE_URL: options.baseUrl,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    HTTPS_PROXY: DEAD_PROXY,
    HTTP_PROXY: DEAD_PROXY,
    NO_PROXY: "127.0.0.1,localhost",
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 0),
    ...(options.authToken === undefined ? {} : { ANTHROPIC_AUTH_TOKEN: options.authToken }),
    ...(options.apiKey === undefined ? {} : { ANTHROPIC_API_KEY: options.apiKey })
  }
  const argv = ["-p", options.prompt, "--output-format", "json", ...(options.args ?? [])]
  const outcome = await runChild(found.path, argv, ["claude", ...argv], {
    cwd: options.cwd,
    env,
    timeoutMs: options.timeoutMs ?? scaled(60_000)
  })
  let json: any
  try {
    json = JSON.parse(outcome.stdout)
  } catch {
    json = undefined
  }
  return { outcome, json }
}
