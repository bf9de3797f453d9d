import { isFakeVariable } from '../../shared/fake-variables'
import { useFakeValues } from '../../shared/template'

/**
 * Loads the fake-data values (fake-values.ts and @faker-js/faker, ~60 ms and ~0.4 MB of code) the first time a
 * send names one of Postman's random-data variables, and never for a send that does not: `flightdeck send` and
 * `run` start no slower for having them.
 */

let loading: Promise<void> | undefined
let loaded = false

/** Whether the values are in: a send then resolves them with no first look for names to load. */
export function fakeValuesLoaded(): boolean {
  return loaded
}

/**
 * Whether any of `names` (unknown after a first resolution) is a random-data variable worth loading values for.
 * Also while a load is under way: a send that meets one then waits for that load (a run's concurrent steps).
 */
export function needsFakeValues(names: readonly string[]): boolean {
  return !loaded && names.some(isFakeVariable)
}

/** Load the values once; later calls wait on the same load. A load that failed is tried again by the next send. */
export function loadFakeValues(): Promise<void> {
  loading ??= Promise.all([import('./fake-values'), import('@faker-js/faker/locale/en')]).then(
    ([values, library]) => {
      useFakeValues(values.fakeValues(library.faker))
      loaded = true
    },
    (e: unknown) => {
      loading = undefined
      throw e
    },
  )
  return loading
}
