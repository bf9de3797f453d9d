import { z } from 'zod'

// The page's CSP forbids eval. Zod compiles its object parsers with `new Function` unless told not to, and its
// probe for that reports a CSP violation the first time a schema is built; the interpreted parsers are enough
// for the payloads the renderer checks. Imported first by main.tsx, before any schema is built.
z.config({ jitless: true })
