import * as Layer from "effect/Layer"
import { ConfigStore } from "./ConfigStore.js"
import { Environment } from "./Environment.js"
import { FileLock } from "./FileLock.js"
import { Files } from "./Files.js"
import { HostProcess } from "./HostProcess.js"
import { OAuthHttp } from "./OAuthHttp.js"
import { Paths } from "./Paths.js"
import { ProfileStore } from "./ProfileStore.js"
import { ShellEnv } from "./ShellEnv.js"

/**
 * The auth services, over whatever ports the edge (or a test) supplies: HostProcess, Files, FileLock, ShellEnv,
 * SecretRegistry.
 */
export const AuthServices = Layer.mergeAll(ProfileStore.layer, ConfigStore.layer, Environment.layer).pipe(
  Layer.provideMerge(Paths.layer)
)

export const PortsLive = Layer.mergeAll(Files.layer, FileLock.layer, ShellEnv.layer, OAuthHttp.layer).pipe(
  Layer.provideMerge(HostProcess.layer)
)

export const AuthServicesLive = AuthServices.pipe(Layer.provideMerge(PortsLive))
