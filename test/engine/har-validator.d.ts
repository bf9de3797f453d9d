/** har-validator ships no types; the promise API validates a whole HAR document against the HAR 1.2 schema. */
declare module 'har-validator' {
  export interface HarValidationError extends Error {
    errors: { instancePath?: string; dataPath?: string; message?: string }[]
  }
  export function har(data: unknown): Promise<unknown>
}
