/**
 * What `--help` says beyond the command definitions: a one-line summary for command lists, examples and "see
 * also" lines. Keyed by the command's path; test/cli-help.test.ts checks that every command has a page, that
 * every page is a command, and that every example parses as the command it illustrates.
 */
export interface HelpPage {
  /** One line, for the list of commands in a group's help. */
  readonly summary: string
  readonly examples?: ReadonlyArray<Example>
  readonly learnMore?: ReadonlyArray<string>
}

export interface Example {
  /** What it does, shown as a `# comment` above it. */
  readonly does: string
  /** A shell line with one `openclaw …` invocation in it. */
  readonly run: string
}

const auth = "openclaw models auth"

export const HELP_PAGES: Readonly<Record<string, HelpPage>> = {
  "": {
    summary: "Model-provider auth for the OpenClaw gateway",
    learnMore: [
      "Use `openclaw <command> --help` for more about a command.",
      "Start with `openclaw onboard`; `openclaw doctor` checks everything."
    ]
  },
  models: {
    summary: "Credential status and auth profiles",
    learnMore: ["Use `openclaw models <command> --help` for more about a command."]
  },
  "models status": {
    summary: "Show credentials per provider and what expires",
    examples: [
      { does: "Overview: default model, credentials per provider, expiry", run: "openclaw models status" },
      { does: "For cron: exit 1 if something is expired or missing, 2 if expiring", run: "openclaw models status --check" },
      { does: "Send one tiny request per anthropic profile", run: "openclaw models status --probe --probe-provider anthropic" }
    ],
    learnMore: ["Fix a missing credential with `openclaw onboard` or `openclaw models auth --help`."]
  },
  "models auth": {
    summary: "Store, list, order and remove auth profiles",
    learnMore: ["Use `openclaw models auth <command> --help` for more about a command."]
  },
  "models auth paste-token": {
    summary: "Store a token you already have",
    examples: [
      { does: "Paste a Claude setup-token at a hidden prompt; it lives one year", run: `${auth} paste-token --provider anthropic --expires-in 365d` },
      { does: "Take it from the clipboard (macOS) instead", run: `pbpaste | ${auth} paste-token --provider anthropic --expires-in 1y` },
      { does: "Store where the token lives, not the token", run: `${auth} paste-token --provider anthropic --ref env:default:ANTHROPIC_OAUTH_TOKEN` }
    ],
    learnMore: [`To make a new Anthropic token here, see \`${auth} setup-token --help\`.`]
  },
  "models auth setup-token": {
    summary: "Run `claude setup-token` and store its token",
    examples: [
      { does: "Make a one-year Anthropic token with Claude Code and store it", run: `${auth} setup-token --provider anthropic` },
      { does: "Without the confirmation question, under a chosen profile id", run: `${auth} setup-token --provider anthropic --yes --profile-id work` }
    ],
    learnMore: ["Needs Claude Code (`npm i -g @anthropic-ai/claude-code`) and a terminal."]
  },
  "models auth paste-api-key": {
    summary: "Store an API key",
    examples: [
      { does: "Paste an OpenAI key at a hidden prompt", run: `${auth} paste-api-key --provider openai` },
      { does: "Take it from the clipboard (macOS) under its own profile id", run: `pbpaste | ${auth} paste-api-key --provider openrouter --profile-id work` },
      { does: "Point at an environment variable instead of storing the key", run: `${auth} paste-api-key --provider openai --ref env:default:OPENAI_API_KEY` }
    ]
  },
  "models auth login": {
    summary: "Sign in with OAuth in a browser",
    examples: [
      { does: "Sign in to Anthropic in this machine's browser", run: `${auth} login --provider anthropic` },
      { does: "On a server: open the URL elsewhere and paste back where it ends", run: `${auth} login --provider anthropic --no-browser` }
    ],
    learnMore: [`Already signed in to Claude Code? See \`${auth} import --help\`.`]
  },
  "models auth import": {
    summary: "Import Claude Code's sign-in",
    examples: [{ does: "Store ~/.claude/.credentials.json as anthropic:claude-cli", run: `${auth} import --from claude-code` }]
  },
  "models auth refresh": {
    summary: "Refresh an OAuth profile now",
    examples: [{ does: "Refresh if due and show the masked access token", run: `${auth} refresh --profile-id anthropic:default` }]
  },
  "models auth list": {
    summary: "List stored profiles",
    examples: [
      { does: "Ids, types, masked secrets, expiry and cooldowns", run: `${auth} list` },
      { does: "The same as JSON", run: `${auth} list --json` }
    ]
  },
  "models auth logout": {
    summary: "Remove a profile and every reference to it",
    examples: [{ does: "Forget anthropic:work (order, usage stats and config too)", run: `${auth} logout --profile-id anthropic:work` }]
  },
  "models auth order": {
    summary: "Which of a provider's profiles is tried first",
    learnMore: [`Use \`${auth} order <command> --help\` for more about a command.`]
  },
  "models auth order get": {
    summary: "Show the order override for a provider",
    examples: [
      { does: "Show the order anthropic's profiles are tried in", run: `${auth} order get --provider anthropic` },
      { does: "The same as JSON", run: `${auth} order get --provider anthropic --json` }
    ]
  },
  "models auth order set": {
    summary: "Set the order a provider's profiles are tried in",
    examples: [
      { does: "Try anthropic:work first, then anthropic:default", run: `${auth} order set --provider anthropic anthropic:work anthropic:default` }
    ]
  },
  "models auth order clear": {
    summary: "Remove the order override for a provider",
    examples: [{ does: "Back to the config's order (or round-robin)", run: `${auth} order clear --provider anthropic` }]
  },
  "models auth cooldowns": {
    summary: "Cooldowns set after provider failures",
    learnMore: [`Use \`${auth} cooldowns clear --help\` for more.`]
  },
  "models auth cooldowns clear": {
    summary: "Lift cooldowns and billing disables now",
    examples: [
      { does: "Every profile of this agent", run: `${auth} cooldowns clear` },
      { does: "Only one profile", run: `${auth} cooldowns clear --profile-id anthropic:work` }
    ]
  },
  secrets: {
    summary: "Audit, configure and apply secret references",
    learnMore: ["Use `openclaw secrets <command> --help` for more about a command."]
  },
  "secrets audit": {
    summary: "Find plain-text secrets and broken references",
    examples: [
      { does: "List findings: file and JSON path, never a value", run: "openclaw secrets audit" },
      { does: "For CI: exit 1 on any finding, 2 if a reference does not resolve", run: "openclaw secrets audit --check" },
      { does: "OpenClaw's JSON report, running exec providers too", run: "openclaw secrets audit --json --allow-exec" }
    ]
  },
  "secrets configure": {
    summary: "A wizard that moves secrets behind references",
    examples: [
      { does: "Build a plan and save it to apply later", run: "openclaw secrets configure --plan-out plan.json" },
      { does: "Map fields with the providers already set up, then apply", run: "openclaw secrets configure --skip-provider-setup --apply" },
      { does: "Only add, edit or remove secrets.providers entries", run: "openclaw secrets configure --providers-only" }
    ],
    learnMore: ["Apply a saved plan with `openclaw secrets apply --from plan.json`."]
  },
  "secrets apply": {
    summary: "Apply a secrets plan",
    examples: [
      { does: "Check the plan and resolve its references; write nothing", run: "openclaw secrets apply --from plan.json --dry-run" },
      { does: "Write the references, then scrub the values they replace", run: "openclaw secrets apply --from plan.json" },
      { does: "A plan with exec references", run: "openclaw secrets apply --from plan.json --allow-exec --json" }
    ]
  },
  "secrets reload": {
    summary: "Make the gateway resolve its references again",
    examples: [
      { does: "Reload the gateway on gateway.port", run: "openclaw secrets reload" },
      { does: "A gateway started with --port 8080, as JSON", run: "openclaw secrets reload --port 8080 --json" }
    ]
  },
  doctor: {
    summary: "Check stores, config, permissions and expiry",
    examples: [
      { does: "Every check: ok, warn or fail, with the command that fixes it", run: "openclaw doctor" },
      { does: "Repair what is safe (file modes, legacy files, stale cooldowns)", run: "openclaw doctor --fix" },
      { does: "Machine-readable: { schemaVersion, checks }", run: "openclaw doctor --json" }
    ]
  },
  onboard: {
    summary: "Set up a provider credential (wizard)",
    examples: [
      { does: "Guided: provider, key or token (hidden), where to keep it", run: "openclaw onboard" },
      {
        does: "Scripted: the key from OPENAI_API_KEY, kept in ~/.openclaw/.env",
        run: "openclaw onboard --non-interactive --auth-choice api-key --provider openai --store env"
      }
    ],
    learnMore: ["Check the result with `openclaw models status`."]
  },
  gateway: {
    summary: "Run the OpenAI-compatible gateway",
    examples: [
      { does: "On 127.0.0.1:18789 (gateway.port / gateway.bind in the config)", run: "openclaw gateway" },
      { does: "On every interface (needs a gateway token)", run: "openclaw gateway --bind lan --port 8080" }
    ],
    learnMore: ["Run it as a service: `openclaw gateway install --help`."]
  },
  "gateway install": {
    summary: "Install the gateway as a user service",
    examples: [
      { does: "Show the systemd unit (Linux) or launchd plist (macOS)", run: "openclaw gateway install --print" },
      { does: "Install it, listening on port 8080", run: "openclaw gateway install --port 8080" }
    ]
  },
  completion: {
    summary: "Print a shell completion script",
    examples: [
      { does: "bash: add to ~/.bashrc", run: "source <(openclaw completion bash)" },
      { does: "zsh: in ~/.zshrc, after compinit", run: "source <(openclaw completion zsh)" },
      { does: "fish", run: "openclaw completion fish > ~/.config/fish/completions/openclaw.fish" }
    ]
  }
}

/** How a flag's value is shown (`--provider <id>`), by option name; others by their type or name. */
export const PLACEHOLDERS: Readonly<Record<string, string>> = {
  provider: "id",
  "probe-provider": "id",
  "profile-id": "id",
  "probe-profile": "id",
  agent: "id",
  "expires-in": "duration",
  "token-expires-in": "duration",
  ref: "ref",
  from: "source",
  "api-key": "key",
  token: "token",
  model: "provider/model",
  "probe-timeout": "ms",
  port: "port"
}
