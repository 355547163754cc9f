import type { Teardown } from "@effect/platform/Runtime"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Logger from "effect/Logger"
import { cli } from "../cli/Cli.js"
import { cliPlatformLayer } from "../cli/CliPlatform.js"
import { withOutputConsole } from "../cli/OutputConsole.js"
import { pacedConsole } from "../cli/PacedConsole.js"
import { colorEnabled } from "../cli/render/Style.js"
import { escapeControl, escapeForTerminal } from "../domain/Untrusted.js"
import { outputLost } from "../cli/OutputLost.js"
import { makeAppLayer } from "../services/AppLayer.js"
import { Files } from "../services/Files.js"
import { cliLogger } from "../services/Logging.js"
import { provideInOrder, serviceLayer } from "../services/LayerInOrder.js"
import { livePorts } from "../services/LivePorts.js"
import { Progress } from "../services/Progress.js"
import { makeSecretRegistry, SecretRegistry } from "../services/SecretRegistry.js"
import { lazyTerminalLayer } from "./lazyTerminal.js"
import { servesGateway } from "./servesGateway.js"

// The only impure file of the CLI: live ports in, exit code out.

// Under a file-size limit (ulimit -f, systemd LimitFSIZE=) the kernel signals SIGXFSZ, which kills by default; with
// it handled the oversized write fails with EFBIG instead, and the user gets the one-line error with the fix.
process.on("SIGXFSZ", () => undefined)

// One registry for the process, so the last-resort printer below can scrub with it too.
const secrets = makeSecretRegistry()

// A command waits for each file it reads, so it reads with blocking calls, which cost a cold process far less than
// trips through the thread pool; the gateway must never block its event loop (services/NodeFs.ts).
const files = servesGateway(process.argv.slice(2)) ? Files.layer : Files.blocking

// Progress lines (refresh, login, exec secrets) are the CLI's alone: on a terminal's stderr; elsewhere silent.
const CliLive = provideInOrder(
  cliPlatformLayer(lazyTerminalLayer((text) => secrets.scrubSameWidth(text))),
  makeAppLayer({ ...livePorts, files, secrets: serviceLayer(SecretRegistry, Effect.succeed(secrets)) }),
  Progress.layer
)

// Output is scrubbed and escaped (withOutputConsole), then written to stdout at the pace its reader takes it.
const program = Effect.flatMap(Effect.console, (base) =>
  Effect.withConsole(
    withOutputConsole(cli(process.argv), { plain: !colorEnabled(process.stdout.isTTY === true, process.env) }),
    pacedConsole(base, process.stdout)
  )
)

/** 128 + SIGINT: what a shell reports for a command stopped by Ctrl-C. */
const INTERRUPTED = 130

/**
 * Ends the process once stdout and stderr have taken everything written (a write's callback runs after the ones
 * before it; where they are synchronous, at once). Every finalizer has run by then. Output that could not be written
 * (a full disk under `completion bash > file`) is said on stderr and fails the command: an empty file must not look
 * like success. Exiting rather than letting the event loop run dry skips Node's teardown of the environment and the
 * heap, ~10 % of a short command's CPU time (issue 16); the launcher writes its code cache in an `exit` listener,
 * which still runs.
 */
const exitWhenFlushed = (code: number): void => {
  process.exitCode = code
  const finish = (error: unknown) => {
    const lost = outputLost(error)
    if (lost === undefined) return void process.stderr.write("", () => process.exit(code))
    process.stderr.write(`openclaw: ${lost}\n`, () => process.exit(code === 0 ? 1 : code))
  }
  // A stdout that failed (a reader gone: EPIPE) calls no more write callbacks: decide on what it said.
  if (process.stdout.destroyed) return finish(process.stdout.errored ?? stdoutError)
  process.stdout.write("", (error) => finish(error ?? process.stdout.errored ?? stdoutError))
}

// Stdout's first failure, for the exit (the paced console goes on past it, as console.log does).
let stdoutError: Error | undefined
process.stdout.on("error", (error) => {
  stdoutError ??= error
})

/**
 * Every failure a user can act on was already printed and turned into an exit code by `cli` (cli/CliError.ts);
 * what is left here is how the process ends: with the code set once output is flushed; an interrupt (Ctrl-C or
 * SIGTERM outside a prompt, after the finalizers ran) at once; a defect is a bug, said on one line with every known
 * secret scrubbed.
 */
const teardown: Teardown = (exit, onExit) => {
  if (Exit.isSuccess(exit)) {
    exitWhenFlushed(exit.value as number)
  } else if (Cause.isInterruptedOnly(exit.cause)) {
    // §6: Ctrl-C anywhere says so on a line of its own (the terminal's "^C" is still on the current one) and leaves
    // the cursor visible, even when a child that hid it (`claude`'s UI) was killed mid-screen.
    const tty = process.stderr.isTTY === true
    process.stderr.write(`${tty ? "\n" : ""}openclaw: Cancelled; nothing was stored.\n${tty ? "\u001b[?25h" : ""}`, () =>
      onExit(INTERRUPTED)
    )
  } else {
    const detail = process.env.OPENCLAW_DEBUG ? Cause.pretty(exit.cause) : Cause.squash(exit.cause)
    const text = detail instanceof Error ? detail.message : String(detail)
    // §11: the message is one line; the debug trace keeps its lines but nothing else that drives the terminal.
    const shown = process.env.OPENCLAW_DEBUG ? escapeForTerminal(text, false) : escapeControl(text)
    process.stderr.write(secrets.scrub(`openclaw: internal error: ${shown}. Set OPENCLAW_DEBUG=1 for details and please report it.\n`))
    exitWhenFlushed(1)
  }
}

// NodeRuntime.runMain turns SIGINT/SIGTERM into an interrupt of the program, so finalizers (locks, the login
// callback server, a running `claude`) run before the process exits. Errors are reported by `cli` and the teardown.
const main = Effect.provide(program, CliLive).pipe(
  // The one expected failure before any command runs: where the state lives cannot be worked out (an empty HOME).
  Effect.catchTag("UsageError", (e) => Effect.sync(() => (process.stderr.write(`openclaw: ${e.message}\n`), 1))),
  // Spans (Effect.fn) go nowhere from the CLI: untimed, they never read the high-resolution clock, whose first read
  // loads node:perf_hooks (~0.5 ms of every command's start-up, issue 16; patches/effect+3.22.4.patch).
  Effect.withTracerTiming(false),
  // The CLI's logger in place of Effect's default, for the layers' building too; as the gateway does (gateway/main.ts),
  // without a layer to build for it.
  Effect.locallyWith(FiberRef.currentLoggers, (loggers) => HashSet.add(HashSet.remove(loggers, Logger.defaultLogger), cliLogger(secrets)))
)

NodeRuntime.runMain(main, { disableErrorReporting: true, disablePrettyLogger: true, teardown })
