import AgentClass from 'undici/lib/dispatcher/agent.js'
import ClientClass from 'undici/lib/dispatcher/client.js'

/**
 * The undici classes every exchange needs, loaded file by file: `undici`'s index loads all of undici (fetch,
 * WebSocket, caches, mocks, cookies: about 1 MB of code), which cost a CLI start-up 60-110 ms for classes it
 * never used. The rest (FormData and Response, for multipart bodies) is imported where it is used, when it is.
 * Same files as the index loads, so instances are the same classes whichever way they were reached.
 */
export const Agent = AgentClass
export type Agent = InstanceType<typeof AgentClass>
export const Client = ClientClass
export type Client = InstanceType<typeof ClientClass>
