import type { EmptySecretUse } from '../../shared/timeline'
import { emptySecretError, type EmptySecrets } from '../send-rules/empty-secrets'
import type { SandboxConsoleLine, ScriptRequest, ScriptTaskOutput } from './script-types'

/**
 * A phase's `pm.sendRequest`s whose `{{names}}` filled in a secret with no value on this machine: where empty
 * secrets are refused (the CLI) that request is refused unsent, as a request is, and the phase fails even if the
 * script handled the error (a failure never passes); where they are sent (the app) it goes out, its timeline row
 * names them, and the phase's console says so. A secret read by `pm.environment.get` and joined by hand is not
 * seen here: a login that reads its token empty and then fetches it looks the same (the request that the
 * pre-request script builds is checked for those reads, see scriptEmptySecretUses).
 */
export class ScriptSendSecrets {
  private refusal: string | null = null
  private readonly lines: SandboxConsoleLine[] = []

  constructor(
    private readonly empty: EmptySecrets,
    private readonly since: () => number,
  ) {}

  /** One pm.sendRequest: the words it is refused with, or the secrets it goes out with empty (often none). */
  check(request: ScriptRequest): { refused: string } | { uses: EmptySecretUse[] } {
    const uses: EmptySecretUse[] = []
    // Only names the host watched, each once: what the sandbox says is bounded by the scope's secrets.
    for (const name of request.emptyRead ?? []) {
      const where = this.empty.names.get(name)
      if (where === undefined || uses.some((u) => u.name === name)) continue
      uses.push({ name, where })
      this.empty.used(name, where)
    }
    if (uses.length === 0) return { uses }
    const names = uses.map((u) => u.name)
    if (this.empty.refuse) {
      const refused = `pm.sendRequest: ${emptySecretError(names, this.empty.names).message}`
      this.refusal ??= refused
      return { refused }
    }
    const list = uses.map((u) => `{{${u.name}}} (${u.where})`).join(', ')
    this.lines.push({
      level: 'warn',
      text: `pm.sendRequest ${request.method} ${request.url.slice(0, 200)} went out with empty secret${uses.length > 1 ? 's' : ''} ${list}: no value on this machine`,
      at: this.since(),
    })
    return { uses }
  }

  /** The phase's output with the first refusal as its failure (unless it failed first) and the notes in its console. */
  finish(output: ScriptTaskOutput, failedAs: string): ScriptTaskOutput {
    if (this.refusal === null && this.lines.length === 0) return output
    const out = { ...output, console: [...output.console, ...this.lines] }
    if (this.refusal !== null && !out.failure)
      out.failure = { kind: 'error', message: `${failedAs}: ${this.refusal}` }
    return out
  }
}
