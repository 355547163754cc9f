import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { maskSecret, secretInArguments } from "../domain/Mask.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { ExitCode } from "./ExitCode.js"
import { authCommand } from "./auth/AuthCommand.js"
import { doctorCommand } from "./DoctorCommand.js"
import { gatewayCommand } from "./GatewayCommand.js"
import { modelsStatusCommand } from "./ModelsStatusCommand.js"
import { onboardCommand } from "./OnboardCommand.js"
import { VERSION } from "./Version.js"

const models = Command.make("models").pipe(
  Command.withDescription("Model providers: credential status and auth profiles."),
  Command.withSubcommands([modelsStatusCommand, authCommand])
)

export const rootCommand = Command.make("openclaw").pipe(
  Command.withDescription("Model-provider authentication for the OpenClaw gateway."),
  Command.withSubcommands([models, doctorCommand, onboardCommand, gatewayCommand])
)

const run = Command.run(rootCommand, { name: "openclaw", version: VERSION })

/** Anything with a user-facing message: our tagged errors all have one. */
const messageOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" && e.message !== ""
    ? e.message
    : String(e)

/**
 * Runs the CLI on `argv` and returns the exit code. The one place errors become exit codes: usage errors were
 * already printed with help by @effect/cli; every other failure is one line on stderr.
 */
export const cli = (argv: ReadonlyArray<string>) => {
  const secret = secretInArguments(argv.slice(2), SECRET_OPTIONS)
  if (secret !== undefined) {
    return Effect.as(
      Console.error(
        `openclaw: a secret (${maskSecret(secret)}) was given on the command line, where shell history and \`ps\` can see it; nothing was done. Fix: pipe it on standard input (e.g. \`pbpaste | openclaw models auth paste-api-key --provider <p>\`) or run the command in a terminal to be prompted, and consider rotating that secret.`
      ),
      1
    )
  }
  // The values given to SECRET_OPTIONS are registered before anything runs, so the output console masks them
  // everywhere: @effect/cli echoes a stray argument, and in `onboard --provider --api-key <key>` the key is one
  // (`--api-key` became the provider).
  const registered = Effect.flatMap(SecretRegistry, (registry) => registry.register(secretOptionValues(argv.slice(2))))
  return registered.pipe(
    Effect.zipRight(run(argv)),
    Effect.zipRight(Effect.flatMap(ExitCode, Ref.get)),
    Effect.catchAll((e) =>
      ValidationError.isValidationError(e)
        ? Effect.as(Console.error("Run `openclaw --help` (or add --help to the command) for usage."), 1)
        : Effect.as(Console.error(`openclaw: ${messageOf(e)}`), 1)
    )
  )
}

const secretOptionValues = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.flatMap((arg, i) => {
    const eq = arg.indexOf("=")
    if (arg.startsWith("--") && eq > 0) return SECRET_OPTIONS.includes(arg.slice(0, eq)) ? [arg.slice(eq + 1)] : []
    return i > 0 && SECRET_OPTIONS.includes(args[i - 1]!) ? [arg] : []
  })

/** Options whose value is meant to be a secret (non-interactive set-up); everything else is refused. */
const SECRET_OPTIONS: ReadonlyArray<string> = ["--api-key", "--token"]
