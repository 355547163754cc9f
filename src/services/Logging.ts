import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { escapeControl } from "../domain/Untrusted.js"
import type { SecretRegistryShape } from "./SecretRegistry.js"

/** A log message as one line of text: strings as they are, anything else as JSON, control characters escaped (§11). */
export const logText = (message: unknown): string =>
  escapeControl((Array.isArray(message) ? message : [message]).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" "))

/**
 * The log of a CLI command: warnings and worse on stderr, one line each as `openclaw: warning: …` (control
 * characters escaped, every loaded secret masked); the rest is dropped. Effect's default logger writes logfmt to
 * stdout, where a warning from a layer (Redis unreachable, §10) broke `--json`. The gateway replaces it with its
 * own timestamped log.
 */
export const cliLogger = (secrets: SecretRegistryShape): Logger.Logger<unknown, void> =>
  Logger.make(({ logLevel, message }) => {
    if (LogLevel.lessThan(logLevel, LogLevel.Warning)) return
    const label = LogLevel.greaterThanEqual(logLevel, LogLevel.Error) ? "error" : "warning"
    process.stderr.write(secrets.scrub(`openclaw: ${label}: ${logText(message)}\n`))
  })
