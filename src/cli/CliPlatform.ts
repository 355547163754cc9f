import * as CliConfig from "@effect/cli/CliConfig"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { ExitCode } from "./ExitCode.js"
import { mergeInOrder, serviceLayer } from "../services/LayerInOrder.js"

/** What @effect/cli runs on around the app, over the given terminal; plus the exit code a command asks for. */
export const cliPlatformLayer = (terminal: Layer.Layer<Terminal.Terminal>) =>
  mergeInOrder(
    // @effect/cli wants a FileSystem for file-valued options; we have none, and our own files go through Files.
    // The libraries' own layers for these two, as layers built in place (services/LayerInOrder.ts).
    serviceLayer(FileSystem.FileSystem, Effect.sync(() => FileSystem.makeNoop({}))),
    Path.layer,
    terminal,
    serviceLayer(CliConfig.CliConfig, Effect.sync(() => CliConfig.make({ showBuiltIns: false }))),
    ExitCode.layer
  )
