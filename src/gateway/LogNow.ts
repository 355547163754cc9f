import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Clock from "effect/Clock"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import type * as Runtime from "effect/Runtime"

/** The runtime's clock (a TestClock in tests): what its fibers' `Clock.currentTimeMillis` reads. */
export const clockOf = <R>(runtime: Runtime.Runtime<R>): Clock.Clock =>
  Context.get(FiberRefs.getOrDefault(runtime.fiberRefs, DefaultServices.currentServices), Clock.Clock)

/**
 * The log annotation of an access-log line: one per request, so the gateway's logger may hold such lines a little
 * to write many at once (./GatewayLog.ts), where any other line goes out as soon as the event loop is idle.
 */
export const ACCESS_LOG = "openclaw.access"

/**
 * A log line at `level` (a function: built only when the level is on) through the loggers of `runtime`, as `Effect.log` in one of its fibers would write it, without
 * a fiber: for the gateway's lane (./Lane.ts), whose access-log line must read like every other request's.
 */
export const logNow = <R>(
  runtime: Runtime.Runtime<R>,
  level: LogLevel.LogLevel,
  options: { readonly access?: boolean } = {}
): ((message: string | (() => string)) => void) => {
  const refs = runtime.fiberRefs
  // Outside a fiber there is no span for the tracer's logger to add an event to.
  const loggers = Array.from(FiberRefs.getOrDefault(refs, FiberRef.currentLoggers)).filter((l) => l !== Logger.tracerLogger)
  const clock = clockOf(runtime)
  const quiet = LogLevel.greaterThan(FiberRefs.getOrDefault(refs, FiberRef.currentMinimumLogLevel), level)
  const spans = FiberRefs.getOrDefault(refs, FiberRef.currentLogSpan)
  const base = FiberRefs.getOrDefault(refs, FiberRef.currentLogAnnotations)
  const annotations = options.access === true ? HashMap.set(base, ACCESS_LOG, true) : base
  return (message) => {
    if (quiet) return
    const date = new Date(clock.unsafeCurrentTimeMillis())
    const text = typeof message === "string" ? message : message()
    for (const logger of loggers) logger.log({ fiberId: FiberId.none, logLevel: level, message: [text], cause: Cause.empty, context: refs, spans, annotations, date })
  }
}
