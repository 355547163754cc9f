import { Browser } from "./Browser.js"
import { ClaudeCli } from "./ClaudeCli.js"
import { FileLock } from "./FileLock.js"
import { Files } from "./Files.js"
import { HostProcess } from "./HostProcess.js"
import { OAuthCallback } from "./OAuthCallback.js"
import { OAuthHttp } from "./OAuthHttp.js"
import { Prompter } from "./Prompter.js"
import { ProviderClientOnDemand } from "./ProviderClientOnDemand.js"
import { SecretRegistry } from "./SecretRegistry.js"
import { SecretResolverLive } from "./SecretResolverLive.js"
import { SecureRandom } from "./SecureRandom.js"
import { ShellEnv } from "./ShellEnv.js"

/** The live adapters of every port (see AppPorts): the real process, disk, network, terminal and browser. */
export const livePorts = {
  host: HostProcess.layer,
  files: Files.layer,
  locks: FileLock.layer,
  shellEnv: ShellEnv.layer,
  oauthHttp: OAuthHttp.layer,
  providers: ProviderClientOnDemand,
  prompter: Prompter.layer,
  claude: ClaudeCli.layer,
  browser: Browser.layer,
  oauthCallback: OAuthCallback.layer,
  random: SecureRandom.layer,
  secrets: SecretRegistry.layer,
  resolver: SecretResolverLive
}
