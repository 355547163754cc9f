import * as Effect from "effect/Effect"
import { LAUNCHD_LABEL, type ServicePlatform, SYSTEMD_UNIT_NAME } from "../domain/ServiceDefinition.js"
import { Files } from "../services/Files.js"
import { HostProcess } from "../services/HostProcess.js"
import { Paths } from "../services/Paths.js"

/**
 * `openclaw gateway install`: writes the service definition where the user's service manager looks for it
 * (systemd: `$XDG_CONFIG_HOME/systemd/user`, launchd: `~/Library/LaunchAgents`) and returns that path.
 */
export const installGatewayService = Effect.fn("Gateway.installService")(function* (platform: ServicePlatform, definition: string) {
  const host = yield* HostProcess
  const files = yield* Files
  const userHome = host.vars.HOME?.trim() || host.osHome
  if (platform === "linux") {
    const configHome = host.vars.XDG_CONFIG_HOME?.trim() || `${userHome}/.config`
    const target = `${configHome}/systemd/user/${SYSTEMD_UNIT_NAME}`
    yield* files.writeAtomic(target, definition)
    return target
  }
  const target = `${userHome}/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`
  // launchd opens the plist's log file but does not create its directory.
  yield* files.makeDirectory(`${(yield* Paths).stateDir}/logs`)
  yield* files.writeAtomic(target, definition)
  return target
})
