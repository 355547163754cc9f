import type { Check, DoctorInputs } from "./Doctor.js"
import { effectiveStore, loadedConfig } from "./DoctorCheckKit.js"
import { claudeCli, cooldowns, daemonEnv, envShadowing, missingCredentials, modeMismatch, profileExpiry, unsendableSecrets } from "./DoctorCredentialChecks.js"
import { secretProviders, secretRefs, secretResidue } from "./DoctorSecretChecks.js"
import { configFile, controlCharacters, envFile, legacyFiles, permissions, sharedState, skippedProfiles, storeFile } from "./DoctorFileChecks.js"

/**
 * The checks of `openclaw doctor` (§6.3), one function each, in report order: pure, computed from what the program
 * gathered. Env keys are compared by name; no secret is read out of a credential.
 */

/** Every check, in `CHECK_IDS` order. Checks that need a store or config that failed to load are left out. */
export const runChecks = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const store = inputs.agent === undefined ? undefined : effectiveStore(inputs)
  const config = loadedConfig(inputs)
  return [
    ...configFile(inputs),
    ...storeFile(inputs),
    ...envFile(inputs),
    ...permissions(inputs),
    ...legacyFiles(inputs),
    ...(store ? skippedProfiles(inputs) : []),
    ...(store ? controlCharacters(inputs) : []),
    ...(store && config ? modeMismatch(inputs, store, config) : []),
    ...(store && config ? unsendableSecrets(inputs, store, config) : []),
    ...(store ? profileExpiry(inputs, store) : []),
    ...(store ? cooldowns(inputs, store) : []),
    ...(store && config ? missingCredentials(inputs, store, config) : []),
    ...(store && config ? envShadowing(inputs, store, config) : []),
    ...secretRefs(inputs.secrets),
    ...secretProviders(inputs.secrets),
    ...secretResidue(inputs.secrets),
    ...daemonEnv(inputs, store, config),
    ...(config ? sharedState(inputs, config) : []),
    ...(store ? claudeCli(inputs, store) : [])
  ]
}
