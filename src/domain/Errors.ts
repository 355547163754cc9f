import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

/**
 * Every error a user can see says what went wrong and where (`problem`, one clause, no final period) and what to do
 * about it (`fix`; absent only where there is nothing to do, such as a cancelled prompt). Callers that need the
 * parts (doctor, the probe) read them; everything else prints `message`, which is always `messageOf(error)`.
 */
export interface Explained {
  readonly problem: string
  readonly fix: string | undefined
}

/** The one way an error reads: `<problem>. Fix: <fix>.`, or `<problem>.` when there is no fix. */
export const messageOf = (e: Explained): string => (e.fix === undefined ? `${e.problem}.` : `${e.problem}. Fix: ${e.fix}.`)

/** What an ExplainedError class builds: a yieldable tagged error with the fields as read-only properties. */
export interface ExplainedErrorClass<Tag extends string, Fields extends Schema.Struct.Fields> {
  new (
    ...props: keyof Fields extends never ? [props?: {}] : [props: Schema.Struct.Constructor<Fields>]
  ): Cause.YieldableError & { readonly _tag: Tag } & Schema.Struct.Type<Fields>
}

/**
 * A tagged error with the shared `message` getter. The subclass provides `problem` and `fix`, as fields or as getters
 * over the fields that callers match on (path, code, reason …):
 * `class E extends ExplainedError("E", { path: Schema.String }) { get problem() { … } get fix() { … } }`.
 * The fields are written as schemas, which say their types; the class itself is `Data.TaggedError`: a
 * `Schema.TaggedError` class builds its schema when it is defined, and with ~30 of them that was ~7 ms of every
 * command's start-up (issue 16). Nothing decodes or encodes these errors, and the compiler checks what they are made
 * with.
 */
export const ExplainedError = <Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  _fields: Fields
): ExplainedErrorClass<Tag, Fields> => {
  class WithMessage extends Data.TaggedError(tag)<{}> {
    override get message(): string {
      return messageOf(this as unknown as Explained)
    }
  }
  return WithMessage as unknown as ExplainedErrorClass<Tag, Fields>
}

/** A system error's code (`ENOENT`, `EPIPE` …), or `EUNKNOWN` for anything without one. */
export const errnoCode = (e: unknown): string =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : "EUNKNOWN"

/** The code of a FileError for a FIFO, socket or device where a file belongs (§11); not an errno. */
export const NOT_A_REGULAR_FILE = "ENOTREG"
/** The code of a FileError for a `<file>.lock` that is a file, where openclaw locks with a directory; not an errno. */
export const LOCK_IS_A_FILE = "ELOCKFILE"
/** The code of a FileError for a symlink whose target's directory does not exist; not an errno. */
export const DANGLING_LINK = "EDANGLING"

const FILE_PROBLEMS: Readonly<Record<string, { readonly problem: string; readonly fix: (path: string) => string }>> = {
  EACCES: {
    problem: "permission denied",
    fix: (p) => `check its owner and mode with \`ls -l ${p}\` (openclaw keeps its files 0600 and directories 0700, owned by you)`
  },
  EPERM: {
    problem: "operation not permitted",
    fix: (p) => `check its owner and mode with \`ls -l ${p}\``
  },
  EISDIR: { problem: "is a directory, not a file", fix: (p) => `move the directory ${p} out of the way` },
  [NOT_A_REGULAR_FILE]: {
    problem: "not a regular file (a FIFO, socket or device); openclaw reads only regular files",
    fix: (p) => `move ${p} out of the way, or put the regular file it should be in its place`
  },
  ENOTDIR: {
    problem: "a parent of this path is not a directory",
    fix: () => "find the parent that is a file (`ls -ld` each one) and point the setting that names it at a directory"
  },
  [DANGLING_LINK]: {
    problem: "it is a symlink to a file in a directory that does not exist, and openclaw makes no directories outside its own",
    fix: (p) => `point ${p} at a file in an existing directory (see \`ls -l ${p}\`), or remove the link`
  },
  [LOCK_IS_A_FILE]: {
    problem: "this lock is a file, but openclaw locks with a directory of that name (another tool, or a copy, left it)",
    fix: (p) => `if no openclaw process is running, remove ${p}`
  },
  ENOSPC: { problem: "no space left on device", fix: () => "free some disk space and try again; the existing file was left unchanged" },
  EDQUOT: { problem: "disk quota exceeded", fix: () => "free some space and try again; the existing file was left unchanged" },
  EFBIG: { problem: "file too large for this file system or process limit", fix: () => "raise the file-size limit (ulimit -f) and try again; the existing file was left unchanged" },
  EROFS: { problem: "read-only file system", fix: () => "point OPENCLAW_STATE_DIR at a writable directory" },
  ELOOP: { problem: "too many levels of symbolic links", fix: (p) => `fix the symlink at ${p}` },
  EMFILE: { problem: "too many open files", fix: () => "raise the open-file limit (ulimit -n) and try again" }
}

/**
 * What to do when a parent of openclaw's path is a file. Never "remove it": the path usually comes from a setting
 * pointed at the wrong place (OPENCLAW_STATE_DIR=~/.bashrc), and the file is the user's.
 */
const blockedFix = (parent: string): string =>
  `${parent} must be a directory for this path: point the setting that names it (OPENCLAW_STATE_DIR, ` +
  `OPENCLAW_CONFIG_PATH, OPENCLAW_AGENT_DIR or an agent's agentDir in openclaw.json) at a directory, or move the file aside`

export class FileError extends ExplainedError("FileError", {
  path: Schema.String,
  operation: Schema.Literal("read", "write", "remove", "stat", "chmod", "mkdir", "list"),
  code: Schema.String,
  /** For ENOTDIR: the nearest parent that exists and is not a directory, when the file-system adapter found it. */
  blockedBy: Schema.optional(Schema.String)
}) {
  get problem(): string {
    if (this.blockedBy !== undefined) return `Cannot ${this.operation} ${this.path}: its parent ${this.blockedBy} is a file, not a directory`
    return `Cannot ${this.operation} ${this.path}: ${FILE_PROBLEMS[this.code]?.problem ?? `failed (${this.code})`}`
  }
  get fix(): string {
    if (this.blockedBy !== undefined) return blockedFix(this.blockedBy)
    return FILE_PROBLEMS[this.code]?.fix(this.path) ?? "check the path and its permissions"
  }
}

export class FileParseError extends ExplainedError("FileParseError", {
  path: Schema.String,
  format: Schema.Literal("JSON", "JSON5"),
  /** What the parser said, e.g. `unexpected "}"`. */
  detail: Schema.String,
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number)
}) {
  get problem(): string {
    const at = this.line === undefined ? "" : `:${this.line}${this.column === undefined ? "" : `:${this.column}`}`
    return `${this.path}${at}: invalid ${this.format}: ${this.detail}`
  }
  get fix(): string {
    return "correct the file by hand or restore it from a backup; openclaw never overwrites a file it cannot parse"
  }
}

export class FileShapeError extends ExplainedError("FileShapeError", {
  path: Schema.String,
  /** Which field is wrong and how, e.g. `profiles.x.type must be one of …`. */
  detail: Schema.String
}) {
  get problem(): string {
    return `${this.path}: ${this.detail}`
  }
  get fix(): string {
    return "correct that field by hand; openclaw left the file unchanged"
  }
}

export class LockTimeoutError extends ExplainedError("LockTimeoutError", {
  path: Schema.String,
  waitedMs: Schema.Number
}) {
  get problem(): string {
    return `Timed out after ${Math.round(this.waitedMs / 1000)}s waiting for the lock on ${this.path}: another openclaw process is writing it`
  }
  get fix(): string {
    return `try again; if no openclaw process is running, remove ${this.path}.lock`
  }
}

export class UnknownAgentError extends ExplainedError("UnknownAgentError", {
  agentId: Schema.String,
  known: Schema.Array(Schema.String),
  configPath: Schema.String
}) {
  get problem(): string {
    return `Unknown agent "${this.agentId}". Configured agents: ${this.known.join(", ")}`
  }
  get fix(): string {
    return `pass one of those to --agent, or add the agent to agents.list in ${this.configPath}`
  }
}

/** A command given something it cannot do; the text is the command's own. */
export class UsageError extends ExplainedError("UsageError", {
  problem: Schema.String,
  fix: Schema.String
}) {}

/** Errors reading or writing the files openclaw owns. */
export type StoreError = FileError | FileParseError | FileShapeError | LockTimeoutError
