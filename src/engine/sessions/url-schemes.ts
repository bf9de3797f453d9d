/**
 * The URL schemes each mode's session takes live in src/shared/url-schemes.ts, so the app checks a URL with the
 * very lists the engine refuses by; the engine's sessions import them from here.
 */
export { checkUrlScheme, graphqlUrlMode, schemesOf, type UrlMode } from '../../shared/url-schemes'
