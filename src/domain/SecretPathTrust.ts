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

/**
 * Why the directory holding a command cannot be trusted with it, or undefined: whoever may write to a directory
 * may rename a file of it away and put their own in its place, whatever the file's own mode. A sticky directory
 * (`/tmp`) lets only a file's owner do that.
 */
export const directoryTrustProblem = (
  what: string,
  rawDir: string,
  stat: PathOwnership,
  myUid: number | undefined
): string | undefined => {
  const dir = escapeControl(rawDir)
  // Sticky or not: a directory's owner can always rename what is in it.
  if (myUid !== undefined && stat.uid !== myUid && stat.uid !== 0) {
    return `${what} is in ${dir}, owned by uid ${stat.uid}, not by you or root: its owner can replace it (move it, or set allowInsecurePath: true on the provider if it is trusted)`
  }
  // Others, not the group: admin-group directories (/usr/local/bin on macOS, 0775) are common and meant so.
  if ((stat.mode & 0o002) !== 0 && (stat.mode & 0o1000) === 0) {
    return (
      `${what} is in ${dir}, writable by anyone (mode ${octalMode(stat.mode)}): anyone can replace it; ` +
      `chmod o-w ${dir}, or set allowInsecurePath: true on the provider if it is trusted`
    )
  }
  return undefined
}
