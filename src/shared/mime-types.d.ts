/** The part of `mime-types` (2.x, CommonJS) Flightdeck uses: its extension -> type table. */
declare module 'mime-types' {
  export const types: Readonly<Record<string, string>>
}
