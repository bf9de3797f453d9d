/**
 * The host calls a script task makes to the engine's thread. Its own module so the engine side (script-host.ts)
 * does not load the worker side's sandbox (QuickJS) to learn a name: every engine start paid for it.
 */
export const SCRIPT_SEND_CALL = 'script.send'

/** A `pm.cookies.jar()` operation, done on the engine's cookie jar. */
export const SCRIPT_COOKIE_CALL = 'script.cookie'
