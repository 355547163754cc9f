/**
 * The three shells' scripts. Each only asks `openclaw __complete <words…>` what may follow: the command tree and
 * the dynamic values (providers, profiles, agents) have one source, the running binary.
 */
export type Shell = "bash" | "zsh" | "fish"

// bash splits words at `:` and `=` (COMP_WORDBREAKS), which would cut `anthropic:default` in two; the line up to
// the cursor is split on blanks instead, and what bash counts as already typed is taken off each candidate.
const bash = `# openclaw bash completion. Load it with: source <(openclaw completion bash)
_openclaw_complete() {
  local line="\${COMP_LINE:0:COMP_POINT}" cur pre brk i
  local -a words
  read -ra words <<< "$line"
  [[ -z "$line" || "$line" =~ [[:space:]]$ ]] && words+=("")
  cur="\${words[\${#words[@]}-1]}"
  local IFS=$'\\n'
  COMPREPLY=($(command openclaw __complete "\${words[@]:1}" 2>/dev/null))
  brk="\${COMP_WORDBREAKS//[^:=]/}"
  [[ -n "$brk" ]] && pre="\${cur%"\${cur##*[$brk]}"}"
  if [[ -n "$pre" ]]; then
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="\${COMPREPLY[i]#"$pre"}"; done
  fi
}
complete -o default -F _openclaw_complete openclaw
`

const zsh = `#compdef openclaw
# openclaw zsh completion. Load it with: source <(openclaw completion zsh)   (after compinit)
_openclaw() {
  local -a candidates
  candidates=("\${(@f)$(command openclaw __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  if (( \${#candidates} )); then
    compadd -Q -- "\${(@)candidates}"
  else
    _files
  fi
}
if [[ "\${funcstack[1]}" = _openclaw ]]; then
  _openclaw "$@"
else
  compdef _openclaw openclaw
fi
`

// fish filters the candidates by the typed token itself; `-f` turns off its own file completion, so, as bash's
// `-o default` and zsh's `_files` do, paths are offered when openclaw has nothing (`import --from <TAB>`).
const fish = `# openclaw fish completion. Load it with: openclaw completion fish | source
function __openclaw_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l candidates (command openclaw __complete $words[2..-1] 2>/dev/null)
    if set -q candidates[1]
        printf '%s\\n' $candidates
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c openclaw -f -a '(__openclaw_complete)'
`

export const completionScript = (shell: Shell): string => ({ bash, zsh, fish })[shell]
