import type { ScriptFailure, ScriptPhase } from '../../shared/scripts'
import { PHASE_LABEL } from './row-scripts'

export function failureText(phase: ScriptPhase, f: ScriptFailure): string {
  const where = f.origin && f.origin !== 'request' ? ` (${f.origin} script)` : ''
  const line = f.line !== undefined ? ` at line ${f.line}` : ''
  // An error is the script's own ("failed"); a limit's message already says the script was stopped, and which limit.
  return `${PHASE_LABEL[phase]} script${where}${f.kind === 'error' ? ' failed' : ''}${line}: ${f.message}`
}
