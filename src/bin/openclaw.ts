import * as CliConfig from "@effect/cli/CliConfig"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { cli } from "../cli/Cli.js"
import { ExitCode } from "../cli/ExitCode.js"
import { withOutputConsole } from "../cli/OutputConsole.js"
import { colorEnabled } from "../cli/render/Style.js"
import { makeSecretRegistry, SecretRegistry } from "../services/SecretRegistry.js"
import { AuthServicesLive } from "../services/AppLayer.js"
import { Browser } from "../services/Browser.js"
import { ClaudeCli } from "../services/ClaudeCli.js"
import { OAuthCallback } from "../services/OAuthCallback.js"
import { Prompter } from "../services/Prompter.js"
import { SecureRandom } from "../services/SecureRandom.js"
import { ProviderClientLive } from "../services/ProviderClientLive.js"
import { lazyTerminalLayer } from "./lazyTerminal.js"

// The only impure file of the CLI: live layers in, exit code out.
const CliPlatform = Layer.mergeAll(
  // @effect/cli wants a FileSystem for file-valued options; we have none, and our own files go through Files.
  FileSystem.layerNoop({}),
  Path.layer,
  lazyTerminalLayer,
  CliConfig.layer({ showBuiltIns: false })
)

// Under a file-size limit (ulimit -f, systemd LimitFSIZE=) the kernel signals SIGXFSZ, which kills by default; with
// it handled the oversized write fails with EFBIG instead, and the user gets the one-line error with the fix.
process.on("SIGXFSZ", () => undefined)

// One registry for the process, so the last-resort printer below can scrub with it too.
const secrets = makeSecretRegistry()

const CliLive = Layer.mergeAll(
  ExitCode.layer,
  ClaudeCli.layer,
  Prompter.layer,
  ProviderClientLive,
  Browser.layer,
  OAuthCallback.layer,
  SecureRandom.layer
).pipe(
  Layer.provideMerge(Layer.mergeAll(AuthServicesLive, CliPlatform, Layer.succeed(SecretRegistry, secrets)))
)

const program = withOutputConsole(cli(process.argv), { plain: !colorEnabled(process.stdout.isTTY === true, process.env) })

Effect.runPromiseExit(Effect.provide(program, CliLive)).then((exit) => {
  if (Exit.isSuccess(exit)) {
    process.exitCode = exit.value
    return
  }
  // Only a bug gets here: every expected failure was turned into a message by `cli`.
  const detail = process.env.OPENCLAW_DEBUG ? Cause.pretty(exit.cause) : Cause.squash(exit.cause)
  const text = detail instanceof Error ? detail.message : String(detail)
  process.stderr.write(secrets.scrub(`openclaw: internal error: ${text}. Set OPENCLAW_DEBUG=1 for details and please report it.\n`))
  process.exitCode = 1
})
