import * as Layer from "effect/Layer"
import { ConfigStore } from "./ConfigStore.js"
import { Environment } from "./Environment.js"
import { FileLock } from "./FileLock.js"
import { Files } from "./Files.js"
import { HostProcess } from "./HostProcess.js"
import { Paths } from "./Paths.js"
import { ProfileStore } from "./ProfileStore.js"

/** The auth services, over whatever ports the edge (or a test) supplies: HostProcess, Files, FileLock. */
export const AuthServices = Layer.mergeAll(ProfileStore.layer, ConfigStore.layer, Environment.layer).pipe(
  Layer.provideMerge(Paths.layer)
)

export const PortsLive = Layer.mergeAll(HostProcess.layer, Files.layer, FileLock.layer)

export const AuthServicesLive = AuthServices.pipe(Layer.provideMerge(PortsLive))
