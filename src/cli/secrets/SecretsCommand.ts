import * as Command from "@effect/cli/Command"
import { applyCommand } from "./ApplyCommand.js"
import { auditCommand } from "./AuditCommand.js"
import { configureCommand } from "./ConfigureCommand.js"
import { reloadCommand } from "./ReloadCommand.js"
import { commandGroup } from "../help/HelpRequested.js"

/** `openclaw secrets …` (§9): each subcommand in its own module, added here. */
export const secretsCommand = commandGroup("secrets").pipe(
  Command.withDescription("Secret references: audit, configure, apply, reload."),
  Command.withSubcommands([auditCommand, configureCommand, applyCommand, reloadCommand])
)
