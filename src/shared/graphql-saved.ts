import { z } from 'zod'
import { GRAPHQL_TRANSPORTS } from './graphql'

/**
 * A saved GraphQL request's own fields (`graphql:` in its file): the document as a block string so diffs read
 * line by line, the variables as JSON text (as typed, `{{variables}}` allowed), the operation to run and the
 * transport. The request's url, headers, auth and options are the file's usual keys.
 */
export const savedGraphqlSchema = z
  .object({
    query: z.string().max(8 * 1024 * 1024),
    variables: z
      .string()
      .max(8 * 1024 * 1024)
      .optional(),
    operationName: z.string().max(1024).optional(),
    transport: z.enum(GRAPHQL_TRANSPORTS).optional(),
    /** WebSocket transports: connection_init's payload, as JSON text. */
    connectionParams: z
      .string()
      .max(1024 * 1024)
      .optional(),
  })
  .strict()
export type SavedGraphql = z.infer<typeof savedGraphqlSchema>
