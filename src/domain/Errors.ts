import * as Schema from "effect/Schema"

/**
 * Every error a user can see. Each `message` says what went wrong, where, and what to do about it, on one line;
 * the CLI edge prints it as is and maps it to exit 1.
 */

/** The code of a FileError for a FIFO, socket or device where a file belongs (§11); not an errno. */
export const NOT_A_REGULAR_FILE = "ENOTREG"

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
  ENOTDIR: { problem: "a parent of this path is not a directory", fix: () => "remove or rename the file that is in the way" },
  ENOSPC: { problem: "no space left on device", fix: () => "free some disk space and try again; the existing file was left unchanged" },
  EDQUOT: { problem: "disk quota exceeded", fix: () => "free some space and try again; the existing file was left unchanged" },
  EFBIG: { problem: "file too large for this file system or process limit", fix: () => "raise the file-size limit (ulimit -f) and try again; the existing file was left unchanged" },
  EROFS: { problem: "read-only file system", fix: () => "point OPENCLAW_STATE_DIR at a writable directory" },
  ELOOP: { problem: "too many levels of symbolic links", fix: (p) => `fix the symlink at ${p}` },
  EMFILE: { problem: "too many open files", fix: () => "raise the open-file limit (ulimit -n) and try again" }
}

export class FileError extends Schema.TaggedError<FileError>()("FileError", {
  path: Schema.String,
  operation: Schema.Literal("read", "write", "remove", "stat", "chmod", "mkdir", "list"),
  code: Schema.String
}) {
  override get message(): string {
    const known = FILE_PROBLEMS[this.code]
    const problem = known?.problem ?? `failed (${this.code})`
    const fix = known?.fix(this.path) ?? "check the path and its permissions"
    return `Cannot ${this.operation} ${this.path}: ${problem}. Fix: ${fix}.`
  }
}

export class FileParseError extends Schema.TaggedError<FileParseError>()("FileParseError", {
  path: Schema.String,
  format: Schema.Literal("JSON", "JSON5"),
  problem: Schema.String,
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const at = this.line === undefined ? "" : `:${this.line}${this.column === undefined ? "" : `:${this.column}`}`
    return `${this.path}${at}: invalid ${this.format}: ${this.problem}. Fix: correct the file by hand or restore it from a backup; openclaw never overwrites a file it cannot parse.`
  }
}

export class FileShapeError extends Schema.TaggedError<FileShapeError>()("FileShapeError", {
  path: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `${this.path}: ${this.problem}. Fix: correct that field by hand; openclaw left the file unchanged.`
  }
}

export class LockTimeoutError extends Schema.TaggedError<LockTimeoutError>()("LockTimeoutError", {
  path: Schema.String,
  waitedMs: Schema.Number
}) {
  override get message(): string {
    return `Timed out after ${Math.round(this.waitedMs / 1000)}s waiting for the lock on ${this.path}: another openclaw process is writing it. Fix: try again; if no openclaw process is running, remove ${this.path}.lock.`
  }
}

export class UnknownAgentError extends Schema.TaggedError<UnknownAgentError>()("UnknownAgentError", {
  agentId: Schema.String,
  known: Schema.Array(Schema.String),
  configPath: Schema.String
}) {
  override get message(): string {
    return `Unknown agent "${this.agentId}". Configured agents: ${this.known.join(", ")}. Fix: pass one of those to --agent, or add the agent to agents.list in ${this.configPath}.`
  }
}

export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  problem: Schema.String,
  fix: Schema.String
}) {
  override get message(): string {
    return `${this.problem}. Fix: ${this.fix}.`
  }
}

/** Errors reading or writing the files openclaw owns. */
export type StoreError = FileError | FileParseError | FileShapeError | LockTimeoutError
