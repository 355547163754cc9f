import { escapeControl } from "./Untrusted.js"

/**
 * §9: a secrets file, and an exec provider's command, are trusted only when nobody but the user (or root) could
 * have put what is in them there: owned by the user or root, not writable by group or others.
 */
export interface PathOwnership {
  readonly uid: number
  /** The whole st_mode; only the permission bits are looked at. */
  readonly mode: number
}

/** `0620`: permission bits as chmod takes them. */
export const octalMode = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, "0")}`

/** Who besides the owner may write to a path of this mode (`its group`, `others`, …), or undefined when nobody. */
export const writableBy = (mode: number): string | undefined => {
  const w = mode & 0o022
  return w === 0 ? undefined : w === 0o022 ? "its group and others" : w === 0o020 ? "its group" : "others"
}

/** Why `path` cannot be trusted, or undefined when it can. `what` names it for the reason (`the secrets file`). */
export const pathTrustProblem = (
  what: string,
  rawPath: string,
  stat: PathOwnership,
  myUid: number | undefined
): string | undefined => {
  const path = escapeControl(rawPath)
  if (myUid !== undefined && stat.uid !== myUid && stat.uid !== 0) {
    return (
      `${what} ${path} is owned by uid ${stat.uid}, not by you (uid ${myUid}) or root: whoever owns it decides what it ` +
      `holds (chown it, or set allowInsecurePath: true on the provider if it is trusted)`
    )
  }
  const by = writableBy(stat.mode)
  if (by !== undefined) {
    return (
      `${what} ${path} is writable by ${by} (mode ${octalMode(stat.mode)}): ` +
      `chmod go-w ${path}, or set allowInsecurePath: true on the provider if it is trusted`
    )
  }
  return undefined
}
