import { type AuthStore, overlayStore } from "./AuthStore.js"
import type { OpenClawConfig } from "./Config.js"
import type { Check, CheckId, DoctorInputs, Loaded } from "./Doctor.js"
import { shellArg } from "./Doctor.js"
import type { ProfileId } from "./ProfileId.js"

/** Helpers shared by the doctor checks (§6.3). */

export const octal = (mode: number): string => `0${mode.toString(8).padStart(3, "0")}`
export const agentFlag = (inputs: DoctorInputs): string =>
  inputs.requestedAgent === undefined ? "" : ` --agent ${shellArg(inputs.requestedAgent)}`
/** `--agent` for commands about a profile, unless it is the main agent's, seen from a sub-agent (§3.1). */
export const agentFlagFor = (inputs: DoctorInputs, id: string): string => {
  const own = inputs.stores[0]?.load
  const inherited = own?._tag === "Loaded" && !own.value.profiles.has(id as ProfileId) && inputs.stores.length > 1
  return inherited ? "" : agentFlag(inputs)
}
export const allClear = (id: CheckId, summary: string): Check => ({ id, subject: null, status: "ok", summary, remediation: null })

/** The store auth decisions see: a sub-agent's own entries over the main agent's (§3.1). */
export const effectiveStore = (inputs: DoctorInputs): AuthStore | undefined => {
  const loaded = inputs.stores.map((s) => s.load)
  if (loaded.length === 0 || loaded.some((l) => l._tag === "Failed")) return undefined
  const [own, ...below] = loaded.map((l) => (l as Extract<Loaded<AuthStore>, { _tag: "Loaded" }>).value)
  return below.reduce((top, base) => overlayStore(base, top), own!)
}

/** Which store file holds a profile's entry (own wins), so a fix edits the right one. */
export const storeHolding = (inputs: DoctorInputs, has: (store: AuthStore) => boolean): string | undefined => {
  for (const s of inputs.stores) if (s.load._tag === "Loaded" && has(s.load.value)) return s.load.path
  return undefined
}

export const loadedConfig = (inputs: DoctorInputs): OpenClawConfig | undefined =>
  inputs.config._tag === "Loaded" ? inputs.config.value : undefined
