import { isFakeVariable } from '../../shared/fake-variables'
import { useFakeValues } from '../../shared/template'

/**
 * Loads the fake-data values (fake-values.ts and @faker-js/faker, ~60 ms and ~0.4 MB of code) the first time a
 * send names one of Postman's random-data variables, and never for a send that does not: `flightdeck send` and
 * `run` start no slower for having them.
 */

let loading: Promise<void> | undefined

/** Whether any of `names` (unknown after a first resolution) is a random-data variable worth loading values for. */
export function needsFakeValues(names: readonly string[]): boolean {
  return loading === undefined && names.some(isFakeVariable)
}

/** Load the values once; later calls wait on the same load. A load that failed is tried again by the next send. */
export function loadFakeValues(): Promise<void> {
  loading ??= Promise.all([import('./fake-values'), import('@faker-js/faker/locale/en')]).then(
    ([values, library]) => useFakeValues(values.fakeValues(library.faker)),
    (e: unknown) => {
      loading = undefined
      throw e
    },
  )
  return loading
}
