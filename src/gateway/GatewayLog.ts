import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import type { SecretRegistryShape } from "../services/SecretRegistry.js"
import { logText } from "../services/Logging.js"
import { ACCESS_LOG } from "./LogNow.js"

/** How long access-log lines may wait to be written together: one write per ~20 ms instead of one per request. */
export const ACCESS_BATCH_MS = 20
/** A batch this long is written at once, whatever it holds. */
export const MAX_BATCH_CHARS = 64 * 1024

/**
 * The gateway's log: time, level, message; every secret the process has loaded is masked by value, and every control
 * character of the message is escaped (§11), so each message is exactly one line — a provider's error text or a
 * client's id cannot forge another one or drive the terminal.
 *
 * Lines are written in batches (one scrub and one write each). Any line but an access-log one (annotated ACCESS_LOG)
 * goes out, with all before it, once the event loop is next idle, as before. Access-log lines alone wait up to
 * ACCESS_BATCH_MS: at one client, one request per loop turn, a write per request was a tenth of the gateway's CPU
 * (issue 16). Lines stay in order; `flush` writes whatever is held (the caller runs it on exit).
 */
export const makeGatewayLogger = (
  secrets: SecretRegistryShape,
  write: (text: string) => void
): { readonly logger: Logger.Logger<unknown, void>; readonly flush: () => void } => {
  let pending = ""
  let soon: ReturnType<typeof setImmediate> | undefined
  let later: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    if (soon !== undefined) clearImmediate(soon)
    if (later !== undefined) clearTimeout(later)
    soon = later = undefined
    if (pending === "") return
    const text = pending
    pending = ""
    write(secrets.scrub(text))
  }
  const logger = Logger.make<unknown, void>(({ annotations, date, logLevel, message }) => {
    pending += `${date.toISOString()} ${logLevel.label.padEnd(5)} ${logText(message)}\n`
    if (pending.length >= MAX_BATCH_CHARS) flush()
    else if (!HashMap.has(annotations, ACCESS_LOG)) soon ??= setImmediate(flush)
    else if (soon === undefined) later ??= setTimeout(flush, ACCESS_BATCH_MS).unref()
  })
  return { logger, flush }
}
