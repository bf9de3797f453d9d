import type { ScriptFailure, ScriptPhase } from '../../shared/scripts'
import { PHASE_LABEL } from './row-scripts'

/** An error is the script's own; the others are a limit the sandbox stopped it at (the message names it). */
const FAILURE_KIND: Readonly<Record<ScriptFailure['kind'], string>> = {
  error: 'failed',
  timeout: 'stopped',
  memory: 'stopped',
  limit: 'stopped',
}

export function failureText(phase: ScriptPhase, f: ScriptFailure): string {
  const where = f.origin && f.origin !== 'request' ? ` (${f.origin} script)` : ''
  const line = f.line !== undefined ? ` at line ${f.line}` : ''
  return `${PHASE_LABEL[phase]} script${where} ${FAILURE_KIND[f.kind]}${line}: ${f.message}`
}
