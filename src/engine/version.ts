/** Kept in step with package.json by test/shared/version.test.ts. */
export const VERSION = '0.1.0'
