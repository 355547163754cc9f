import * as Layer from "effect/Layer"
import type { Browser } from "./Browser.js"
import type { ClaudeCli } from "./ClaudeCli.js"
import { ConfigStore } from "./ConfigStore.js"
import { Environment } from "./Environment.js"
import type { FileLock } from "./FileLock.js"
import type { Files } from "./Files.js"
import type { HostProcess } from "./HostProcess.js"
import type { OAuthCallback } from "./OAuthCallback.js"
import type { OAuthHttp } from "./OAuthHttp.js"
import { Paths } from "./Paths.js"
import { ProfileStore } from "./ProfileStore.js"
import type { Prompter } from "./Prompter.js"
import type { ProviderClient } from "./ProviderClient.js"
import type { SecretRegistry } from "./SecretRegistry.js"
import type { SecretResolver } from "./SecretResolver.js"
import type { SecureRandom } from "./SecureRandom.js"
import type { ShellEnv } from "./ShellEnv.js"
import { fileSharedState } from "./SharedStateLayer.js"
import { mergeInOrder, provideInOrder } from "./LayerInOrder.js"

/**
 * The app's ports: every adapter that touches the world. The CLI edge passes the live ones, tests pass doubles;
 * nothing else differs between them. A port may need the HostProcess port, and whatever `R` the edge provides
 * around the app (the terminal a prompter runs on).
 */
export interface AppPorts<R = never> {
  readonly host: Layer.Layer<HostProcess>
  readonly files: Layer.Layer<Files, never, HostProcess | R>
  readonly locks: Layer.Layer<FileLock, never, HostProcess | R>
  readonly shellEnv: Layer.Layer<ShellEnv, never, HostProcess | R>
  readonly oauthHttp: Layer.Layer<OAuthHttp, never, HostProcess | R>
  readonly providers: Layer.Layer<ProviderClient, never, HostProcess | R>
  readonly prompter: Layer.Layer<Prompter, never, HostProcess | R>
  readonly claude: Layer.Layer<ClaudeCli, never, HostProcess | R>
  readonly browser: Layer.Layer<Browser, never, HostProcess | R>
  readonly oauthCallback: Layer.Layer<OAuthCallback, never, HostProcess | R>
  readonly random: Layer.Layer<SecureRandom, never, HostProcess | R>
  readonly secrets: Layer.Layer<SecretRegistry, never, HostProcess | R>
  /** SecretRefs (§9): env, file and exec providers. */
  readonly resolver: Layer.Layer<SecretResolver, never, HostProcess | R>
}

/** The app's services (paths, stores, environment) over its ports, built once; the ports stay visible too. */
export const makeAppLayer = <R>(ports: AppPorts<R>) => {
  const adapters = mergeInOrder(
    ports.files,
    ports.locks,
    ports.shellEnv,
    ports.oauthHttp,
    ports.providers,
    ports.prompter,
    ports.claude,
    ports.browser,
    ports.oauthCallback,
    ports.random,
    ports.secrets,
    ports.resolver
  )
  // Usage state and the refresh lock default to this host's files; an edge configured for shared state (§10)
  // provides the Redis layers over these (cli/SharedState.ts, gateway/main.ts).
  return provideInOrder(
    ports.host,
    adapters,
    Paths.layer,
    mergeInOrder(ProfileStore.layer, ConfigStore.layer, Environment.layer),
    fileSharedState
  )
}
