import { loadedSchema } from '../../src/renderer/graphql/graphql-slice'
import { startGraphqlServer } from '../fixtures/graphql-server'
import { startEngine, stopEngines } from './store-over-engine'

export interface FetchedSchema {
  /** The schema service's key for the loaded schema, as the editor asks with it. */
  key: string
  close(): Promise<void>
}

/** A real graphql-yoga server's schema, fetched by introspection through the store as the composer fetches it. */
export async function fetchGraphqlSchema(): Promise<FetchedSchema> {
  const engine = startEngine()
  const gql = await startGraphqlServer()
  const close = async (): Promise<void> => {
    await stopEngines()
    await gql.close()
  }
  const store = engine.store()
  store.getState().setKind('graphql')
  store.getState().setUrl(gql.url)
  await store.getState().fetchSchema(gql.url)
  const state = store.getState().graphqlSchemas[gql.url]
  const loaded = loadedSchema(state)
  if (!loaded) {
    await close()
    throw new Error(`the schema did not load: ${JSON.stringify(state)}`)
  }
  return { key: loaded.key, close }
}
