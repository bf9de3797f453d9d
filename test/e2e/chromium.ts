/**
 * How the tests and benchmarks launch Debian's Chromium (never a downloaded browser): the system binary, or
 * CHROMIUM_PATH, with the flags a container without a GPU or a user namespace sandbox needs.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
}
