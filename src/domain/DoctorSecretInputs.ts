/**
 * What doctor's secret checks (DoctorSecretChecks.ts) read, on its own so Doctor.ts's inputs can name it without an
 * import circle.
 */

/** What a stat said about a secrets file or command (the Files port's answer). */
export interface PathState {
  readonly isFile: boolean
  readonly mode: number
  readonly ownedByYou: boolean
  readonly ownedByRoot: boolean
}

export type SecretProviderState =
  | { readonly _tag: "Invalid"; readonly alias: string; readonly problem: string }
  | { readonly _tag: "Env"; readonly alias: string }
  | {
      readonly _tag: "File"
      readonly alias: string
      /** `~` expanded. */
      readonly path: string
      readonly allowInsecurePath: boolean
      readonly stat: PathState | undefined
    }
  | {
      readonly _tag: "Exec"
      readonly alias: string
      readonly command: string
      readonly allowSymlinkCommand: boolean
      readonly allowInsecurePath: boolean
      readonly isSymlink: boolean
      /** Where the command really is (symlinks resolved); undefined when it leads nowhere. */
      readonly realPath: string | undefined
      /** `trustedDirs`, each resolved to where it really is. */
      readonly trustedDirs: ReadonlyArray<string>
      /** The stat of the real command. */
      readonly stat: PathState | undefined
    }

export interface SecretsDoctorInputs {
  /** How many distinct refs the agent's config and stores hold. */
  readonly refCount: number
  readonly unresolved: ReadonlyArray<{ readonly file: string; readonly jsonPath: string; readonly label: string; readonly reason: string }>
  readonly providers: ReadonlyArray<SecretProviderState>
  readonly residue: ReadonlyArray<{ readonly file: string; readonly profileId: string; readonly field: string; readonly refField: string }>
  /** Secrets files and exec commands (as configured and as really located): `--fix` never changes their modes. */
  readonly targets: ReadonlySet<string>
}
