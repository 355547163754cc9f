import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { maskSecret, secretInArguments } from "../domain/Mask.js"
import { UsageError } from "../domain/Errors.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { type CliError, exitCodeOf, renderError, SecretOnCommandLineError } from "./CliError.js"
import { ExitCode } from "./ExitCode.js"
import { authCommand } from "./auth/AuthCommand.js"
import { doctorCommand } from "./DoctorCommand.js"
import { gatewayCommand } from "./GatewayCommand.js"
import { modelsStatusCommand } from "./ModelsStatusCommand.js"
import { onboardCommand } from "./OnboardCommand.js"
import { secretsCommand } from "./secrets/SecretsCommand.js"
import { VERSION } from "./Version.js"
import { complete, COMPLETE_WORD } from "./completion/Complete.js"
import { completionCommand } from "./completion/CompletionCommand.js"
import { commandTree } from "./completion/CommandTree.js"
import { commandGroup, HelpRequested } from "./help/HelpRequested.js"

const models = commandGroup("models").pipe(
  Command.withDescription("Model providers: credential status and auth profiles."),
  Command.withSubcommands([modelsStatusCommand, authCommand])
)

export const rootCommand = commandGroup("openclaw").pipe(
  Command.withDescription("Model-provider authentication for the OpenClaw gateway."),
  Command.withSubcommands([models, secretsCommand, doctorCommand, onboardCommand, gatewayCommand, completionCommand])
)

const run = Command.run(rootCommand, { name: "openclaw", version: VERSION })

/**
 * Runs the CLI on `argv` and returns the exit code. The one place failures become exit codes: every CliError is
 * rendered (`renderError`) and mapped (`exitCodeOf`) here.
 */
export const cli = (argv: ReadonlyArray<string>) => {
  // The shells' completion scripts call back here; it is not a command, so help never lists it.
  if (argv[2] === COMPLETE_WORD) return Effect.as(complete(commandTree(rootCommand), argv.slice(3)), 0)
  const secret = secretInArguments(argv.slice(2), SECRET_OPTIONS)
  // The values given to SECRET_OPTIONS are registered before anything runs, so the output console masks them
  // everywhere: @effect/cli echoes a stray argument, and in `onboard --provider --api-key <key>` the key is one
  // (`--api-key` became the provider).
  const registered = Effect.flatMap(SecretRegistry, (registry) => registry.register(secretOptionValues(argv.slice(2))))
  // Help is ours, not @effect/cli's (§6): asked for with --help, or by running a group alone (HelpRequested).
  const help = Effect.as(
    Effect.flatMap(Effect.promise(() => import("./help/ShowHelp.js")), ({ showHelp }) => showHelp(commandTree(rootCommand), argv.slice(2))),
    0
  )
  const commands: Effect.Effect<number, CliError, Effect.Effect.Context<ReturnType<typeof run>> | ExitCode | SecretRegistry> =
    secret !== undefined
      ? Effect.fail(new SecretOnCommandLineError({ masked: maskSecret(secret) }))
      : asksForWizardMode(argv.slice(2))
      ? Effect.fail(NO_WIZARD_MODE)
      : asksForHelp(argv.slice(2))
      ? help
      : registered.pipe(
        Effect.zipRight(run(argv)),
        Effect.zipRight(Effect.flatMap(ExitCode, Ref.get)),
        Effect.catchIf((e): e is HelpRequested => e instanceof HelpRequested, () => help)
      )
  return Effect.catchAll(commands, (e) =>
    Effect.gen(function* () {
      // A usage error says what was wrong and points at the help of the command that was meant, worked out only
      // now that it is needed.
      const usage = ValidationError.isValidationError(e)
        ? yield* Effect.promise(async () => {
            const [{ commandOf }, { usageProblem }] = await Promise.all([import("./help/ShowHelp.js"), import("./help/UsageMessage.js")])
            const tree = commandTree(rootCommand)
            return { problem: usageProblem(e, tree, argv.slice(2)), command: commandOf(tree, argv.slice(2)) }
          })
        : undefined
      yield* Console.error(renderError(e, usage))
      return exitCodeOf(e)
    })
  )
}

/** @effect/cli treats `--help` / `-h` anywhere before `--` as a request for help; so do we. */
const asksForHelp = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h")
}

/**
 * @effect/cli's built-in `--wizard` (on every command) builds a command line by questions; Ctrl-C in it "quits"
 * with exit 0, and its questions are the framework's, not ours. It is refused rather than half supported.
 */
const asksForWizardMode = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  return (end === -1 ? args : args.slice(0, end)).includes("--wizard")
}

const NO_WIZARD_MODE = new UsageError({
  problem: "there is no --wizard mode",
  fix: "run `openclaw onboard` for the set-up wizard, or add --help to a command to see its options"
})

const secretOptionValues = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.flatMap((arg, i) => {
    const eq = arg.indexOf("=")
    if (arg.startsWith("--") && eq > 0) return SECRET_OPTIONS.includes(arg.slice(0, eq)) ? [arg.slice(eq + 1)] : []
    return i > 0 && SECRET_OPTIONS.includes(args[i - 1]!) ? [arg] : []
  })

/** Options whose value is meant to be a secret (non-interactive set-up); everything else is refused. */
const SECRET_OPTIONS: ReadonlyArray<string> = ["--api-key", "--token"]
