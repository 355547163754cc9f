import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import type { SecretRegistryShape } from "../services/SecretRegistry.js"
import { logText } from "../services/Logging.js"
import { ACCESS_LOG } from "./LogNow.js"

/** At most one write of access-log lines alone per this many ms; no line waits longer. */
export const ACCESS_BATCH_MS = 20
/** A batch this long (UTF-16 code units, as `String.length` counts) is written at once, whatever it holds. */
export const MAX_BATCH_CHARS = 64 * 1024

/**
 * The gateway's log: time, level, message; every secret the process has loaded is masked by value, and every control
 * character of the message is escaped (§11), so each message is exactly one line — a provider's error text or a
 * client's id cannot forge another one or drive the terminal.
 *
 * Lines are written in batches (one scrub and one write each), once the event loop is next idle, with all before
 * them — except access-log lines (annotated ACCESS_LOG) within ACCESS_BATCH_MS of the last write, which wait for the
 * rest of that time. At one client, one request per loop turn, a write per request was a tenth of the gateway's CPU
 * (issue 16); a plain timer per batch instead woke an idle gateway once more per request when requests come less
 * often than that. Lines stay in order; `flush` writes whatever is held (the caller runs it when the gateway stops,
 * and on exit).
 */
export const makeGatewayLogger = (
  secrets: SecretRegistryShape,
  write: (text: string) => void
): { readonly logger: Logger.Logger<unknown, void>; readonly flush: () => void } => {
  let pending = ""
  let soon: ReturnType<typeof setImmediate> | undefined
  let later: ReturnType<typeof setTimeout> | undefined
  let lastWrite = -Infinity
  const flush = () => {
    if (soon !== undefined) clearImmediate(soon)
    if (later !== undefined) clearTimeout(later)
    soon = later = undefined
    if (pending === "") return
    const text = pending
    pending = ""
    lastWrite = performance.now()
    write(secrets.scrub(text))
  }
  const logger = Logger.make<unknown, void>(({ annotations, date, logLevel, message }) => {
    pending += `${date.toISOString()} ${logLevel.label.padEnd(5)} ${logText(message)}\n`
    const access = HashMap.has(annotations, ACCESS_LOG)
    if (pending.length >= MAX_BATCH_CHARS) flush()
    else if (soon === undefined && (!access || later === undefined)) {
      // The monotonic clock: a wall clock set back would hold the line for as long as it went back.
      const wait = access ? lastWrite + ACCESS_BATCH_MS - performance.now() : 0
      if (wait <= 0) soon = setImmediate(flush)
      else later = setTimeout(flush, wait).unref()
    }
  })
  return { logger, flush }
}
