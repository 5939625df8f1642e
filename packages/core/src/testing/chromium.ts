/**
 * How tests start the Debian `chromium` with playwright-core (`chromium.launch(CHROMIUM)`):
 * never a downloaded browser, and nothing that phones home.
 */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
