import * as Command from "@effect/cli/Command"
import { importCommand, loginCommand, refreshCommand } from "./OAuthCommands.js"
import { orderCommand } from "./OrderCommands.js"
import { pasteApiKeyCommand, pasteTokenCommand, setupTokenCommand } from "./PasteCommands.js"
import { cooldownsCommand, listCommand, logoutCommand } from "./ProfileCommands.js"
import { commandGroup } from "../help/HelpRequested.js"

export const authCommand = commandGroup("auth").pipe(
  Command.withDescription("Store, list, order and remove auth profiles (all take --agent <id>)."),
  Command.withSubcommands([
    pasteTokenCommand,
    setupTokenCommand,
    pasteApiKeyCommand,
    loginCommand,
    importCommand,
    refreshCommand,
    listCommand,
    logoutCommand,
    orderCommand,
    cooldownsCommand
  ])
)
