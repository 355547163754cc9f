import type { Check } from "./Doctor.js"
import { shellArg } from "./Doctor.js"
import { allClear, octal } from "./DoctorCheckKit.js"
import { writableBy } from "./SecretPathTrust.js"
import type { PathState, SecretProviderState, SecretsDoctorInputs } from "./DoctorSecretInputs.js"

/**
 * Doctor checks about secret references (§9): refs that do not resolve (with why), `secrets.providers` entries a
 * resolver would refuse (a secrets file or exec command others could change, a symlinked, missing or non-regular
 * command), and plain values left beside a ref. `--fix` has nothing to do here: it never touches a ref's target.
 */

/**
 * Why a secrets file or command is not to be trusted (§9: owned by you or root, not writable by group or others):
 * SecretPathTrust's rule, over what the Files port says (owner as you/root, not a uid).
 */
export const trustProblem = (what: string, path: string, s: PathState): string | undefined => {
  if (!s.ownedByYou && !s.ownedByRoot) return `${what} ${path} is owned by another user (not you or root)`
  const by = writableBy(s.mode)
  return by === undefined ? undefined : `${what} ${path} is writable by ${by} (mode ${octal(s.mode)})`
}

const isInside = (dir: string, file: string): boolean => file.startsWith(`${dir.replace(/\/+$/, "")}/`)

/** Why an exec provider's command would not be run (§9), or undefined when it would. */
export const commandProblem = (p: Extract<SecretProviderState, { _tag: "Exec" }>): string | undefined => {
  const what = "its command"
  if (p.isSymlink && !p.allowSymlinkCommand) return `${what} ${p.command} is a symlink (allowSymlinkCommand is not set)`
  if (p.isSymlink && p.trustedDirs.length === 0) return `${what} ${p.command} is a symlink and trustedDirs is empty`
  if (p.realPath === undefined || p.stat === undefined) return `${what} ${p.command} does not exist`
  if (p.trustedDirs.length > 0 && !p.trustedDirs.some((d) => isInside(d, p.realPath!))) {
    return `${what} ${p.command} is ${p.realPath}, outside trustedDirs`
  }
  if (!p.stat.isFile) return `${what} ${p.realPath} is not a regular file`
  if (!p.allowInsecurePath) {
    const problem = trustProblem(what, p.realPath, p.stat)
    if (problem !== undefined) return problem
  }
  return (p.stat.mode & 0o111) === 0 ? `${what} ${p.realPath} is not executable` : undefined
}

export const secretRefs = (s: SecretsDoctorInputs): ReadonlyArray<Check> =>
  s.unresolved.length === 0
    ? [allClear("secret-refs", s.refCount === 0 ? "no secret references" : s.refCount === 1 ? "the secret reference resolves" : `all ${s.refCount} secret references resolve`)]
    : s.unresolved.map((u) => ({
        id: "secret-refs",
        subject: `${u.file} ${u.jsonPath}`,
        status: "fail",
        summary: `${u.label} at ${u.jsonPath} in ${u.file} does not resolve: ${u.reason}`,
        remediation: "make it resolve as the reason says, or point it elsewhere with `openclaw secrets configure`; `openclaw secrets audit` lists every reference"
      }))

const optOut = (alias: string) => `or set allowInsecurePath: true on secrets.providers.${alias} if you trust it`

export const secretProviders = (s: SecretsDoctorInputs): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  const fail = (alias: string, summary: string, remediation: string) =>
    found.push({ id: "secret-providers", subject: `secrets.providers.${alias}`, status: "fail", summary, remediation })
  for (const p of s.providers) {
    switch (p._tag) {
      case "Env":
        break
      case "Invalid":
        fail(p.alias, `secrets provider "${p.alias}" is invalid: ${p.problem}`, `correct secrets.providers.${p.alias} in openclaw.json`)
        break
      case "File": {
        if (p.stat === undefined) {
          fail(p.alias, `secrets provider "${p.alias}": its file ${p.path} does not exist`, `create it (mode 0600) or correct the path`)
          break
        }
        const problem = !p.stat.isFile
          ? `its file ${p.path} is not a regular file`
          : p.allowInsecurePath
            ? undefined
            : trustProblem("its file", p.path, p.stat)
        if (problem !== undefined) {
          fail(
            p.alias,
            `secrets provider "${p.alias}" is insecure: ${problem}; its references do not resolve`,
            `chmod go-w ${shellArg(p.path)} and make it yours (doctor --fix never changes a secrets file), ${optOut(p.alias)}`
          )
        }
        break
      }
      case "Exec": {
        const problem = commandProblem(p)
        if (problem !== undefined) {
          fail(
            p.alias,
            `secrets provider "${p.alias}" will not run: ${problem}`,
            `point command at the real, absolute path of a regular executable file that only you (or root) can change — or, for a package manager's symlink, set allowSymlinkCommand: true with trustedDirs (doctor --fix never changes a command), ${optOut(p.alias)}`
          )
        }
        break
      }
    }
  }
  if (found.length > 0) return found
  return [allClear("secret-providers", s.providers.length === 0 ? "no secrets providers configured" : s.providers.length === 1 ? "the secrets provider looks safe" : `all ${s.providers.length} secrets providers look safe`)]
}

export const secretResidue = (s: SecretsDoctorInputs): ReadonlyArray<Check> =>
  s.residue.length === 0
    ? [allClear("secret-residue", "no plain value kept beside a secret reference")]
    : s.residue.map((r) => ({
        id: "secret-residue",
        subject: r.profileId,
        status: "warn",
        summary: `profile ${r.profileId} in ${r.file} keeps a plain ${r.field} beside its ${r.refField} (the reference wins; the plain value is still on disk)`,
        remediation: `delete "${r.field}" from ${r.profileId} by hand, or let \`openclaw secrets apply\` scrub it`
      }))
