import * as CliConfig from "@effect/cli/CliConfig"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import * as Layer from "effect/Layer"
import { ExitCode } from "./ExitCode.js"
import { mergeInOrder } from "../services/LayerInOrder.js"

/** What @effect/cli runs on around the app, over the given terminal; plus the exit code a command asks for. */
export const cliPlatformLayer = (terminal: Layer.Layer<Terminal.Terminal>) =>
  mergeInOrder(
    // @effect/cli wants a FileSystem for file-valued options; we have none, and our own files go through Files.
    FileSystem.layerNoop({}),
    Path.layer,
    terminal,
    CliConfig.layer({ showBuiltIns: false }),
    ExitCode.layer
  )
