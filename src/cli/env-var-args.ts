import type { CliHooks } from '../engine/service-types'

/**
 * `--env-var NAME=VALUE` (repeatable), as newman and bru take it: a value for `{{NAME}}` that replaces the
 * environment's (and a stored secret's). `--env-var NAME` alone reads the value from this process's environment
 * variable of that name, so a CI secret never appears in the command line or the process list. `--global-var`
 * is read the same way and replaces a global variable's value (the lowest layer), as newman's does. Pure: the
 * process's environment is passed in.
 */

/** A variable name as templates name it (`{{name}}`), not starting with `$` (those are Flightdeck's own). */
const NAME = /^[A-Za-z_][\w.$-]*$/
/** Values from the command line, at most (each is one argument; a CI job passes a handful). */
const MAX_ENV_VARS = 1000
/** One value's size at most: a variable is a token or a host, not a file (a body file is sent as a file). */
const MAX_VALUE_CHARS = 1024 * 1024

export const ENV_VAR_HELP = `      --env-var <name=value>
                            a value for {{name}}, in place of the environment's value or a
                            stored secret (repeatable); --env-var <name> alone reads it from
                            the environment variable of that name (a CI secret stays out of
                            the command line). Order, lowest first: globals, collection,
                            folders, environment, --env-var, data file row, extracted values
      --global-var <name=value>
                            the same for a global variable (the lowest layer: any other
                            layer's value of the name wins over it)
      --allow-empty-secrets send requests that use a secret variable with no value on this
                            machine (empty); without it they fail, unsent`

export function parseEnvVars(
  items: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
  flag: '--env-var' | '--global-var' = '--env-var',
): Map<string, string> | Error {
  const out = new Map<string, string>()
  const list = items ?? []
  if (list.length > MAX_ENV_VARS)
    return new Error(`${flag} given ${list.length} times; at most ${MAX_ENV_VARS}`)
  for (const item of list) {
    const eq = item.indexOf('=')
    const name = eq < 0 ? item : item.slice(0, eq)
    if (name === '')
      return new Error(`${flag} needs a variable name before '=', as in ${flag} token=VALUE, got '${item}'`)
    if (!NAME.test(name))
      return new Error(
        `${flag}: '${name}' is not a variable name (letters, digits, _ . - $, not starting with a digit)`,
      )
    let value: string | undefined
    if (eq >= 0) value = item.slice(eq + 1)
    else {
      value = env[name]
      if (value === undefined)
        return new Error(
          `${flag} ${name}: no environment variable ${name} is set; give a value with ${flag} ${name}=VALUE or set ${name}`,
        )
    }
    if (value.length > MAX_VALUE_CHARS)
      return new Error(`${flag} ${name}: the value is ${value.length} characters; at most ${MAX_VALUE_CHARS}`)
    // The last one given wins, as a shell user expects of a repeated option.
    out.set(name, value)
  }
  return out
}

export interface GivenVariables {
  values: ReadonlyMap<string, string>
  globals: ReadonlyMap<string, string>
}

/** `--env-var` and `--global-var` as given, read; an Error is bad input (exit 2). */
export function readGivenVariables(
  envVars: readonly string[],
  globalVars: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): GivenVariables | Error {
  const values = parseEnvVars(envVars, env)
  if (values instanceof Error) return values
  const globals = parseEnvVars(globalVars, env, '--global-var')
  return globals instanceof Error ? globals : { values, globals }
}

/** The stderr line for a secret a send used with no value: which, where it is declared, and how to give it. */
export function emptySecretLine(name: string, where: string, sent: boolean): string {
  const what = sent
    ? 'requests that use it were sent with it empty (--allow-empty-secrets)'
    : 'requests that use it fail, unsent'
  return (
    `flightdeck: secret variable {{${name}}}${where ? ` (${where})` : ''} has no value on this machine: ${what}. ` +
    `Give it with --env-var ${name}=VALUE, or --env-var ${name} to read it from the environment variable ${name} (a CI secret), or store it in the app\n`
  )
}

/**
 * Give the engine this process's values and the empty-secret rule: a command line's run or send refuses a
 * request that uses a secret with no value (a CI machine where nobody stored it) unless `allowEmpty`; each
 * such secret is named once on stderr either way (`clearBar`, when stderr is a terminal with a progress bar
 * drawn in place: clears it before the line; the bar is drawn again below it).
 */
export function useSessionVariables(
  service: Pick<CliHooks, 'variablesForSession'>,
  given: GivenVariables,
  allowEmpty: boolean,
  err: (text: string) => void,
  clearBar?: () => void,
): Promise<void> {
  return service.variablesForSession({
    values: given.values,
    globals: given.globals,
    emptySecrets: allowEmpty ? 'send' : 'refuse',
    onEmptySecret: (name, where) => {
      clearBar?.()
      err(emptySecretLine(name, where, allowEmpty))
    },
  })
}
