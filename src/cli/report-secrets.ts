import { redactText, usableSecrets } from '../engine/har/redact'

/**
 * A run's reports (the table, run.json, junit.xml) without the values of secret variables: a value stored on
 * this machine or given with `--env-var` reaches them through an assertion's words (`header x-echo is "…"`), a
 * script test's name or its console, an error naming a URL. They are replaced as the HAR export replaces them
 * (`[redacted]`; values shorter than 4 characters are left, as there). Copies what it changes; the rest is shared.
 */
export function withoutSecrets<T>(value: T, secretValues: Iterable<string>): T {
  const secrets = usableSecrets(secretValues)
  return secrets.length === 0 ? value : (redact(value, secrets) as T)
}

function redact(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactText(value, secrets)
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets))
  if (value === null || typeof value !== 'object') return value
  const proto: unknown = Object.getPrototypeOf(value)
  // Plain data only (what the reports serialize); a Map or a class instance holds counts, not words.
  if (proto !== Object.prototype && proto !== null) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = redact(v, secrets)
  return out
}
