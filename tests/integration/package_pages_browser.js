// Drives Debian's Chromium (headless, through playwright-core) through a
// package page, as a recipient would: open the link, enter the password,
// download one file and the zip, return a file. Screenshots go to
// SCREENSHOT_DIR. Input: a JSON object in argv[2] with url, password,
// fileName (the link text of the file to download), returnFile (a local
// path), downloadDir, screenshotDir. Output: one JSON line on stdout with
// the saved paths and what the pages showed; a non-zero exit on failure.
'use strict';

const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
  const input = JSON.parse(process.argv[2]);
  const shot = (page, name) =>
    page.screenshot({ path: path.join(input.screenshotDir, name + '.png'), fullPage: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const result = {};
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30000);
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

    let response = await page.goto(input.url);
    result.firstStatus = response.status();
    await shot(page, '1-password-prompt');
    result.promptShown = (await page.locator('input[name=password]').count()) === 1;

    // The prompt itself is a 403, which Chromium logs; from here on the
    // console must stay clean (a CSP violation would show there).
    consoleErrors.length = 0;
    await page.fill('input[name=password]', input.password);
    await Promise.all([page.waitForURL(input.url), page.click('#password button')]);
    await shot(page, '2-package');
    result.files = await page.locator('a.file').allTextContents();
    result.cookies = (await context.cookies()).map((c) => ({
      name: c.name, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, path: c.path }));

    let [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a.file', { hasText: input.fileName }).click(),
    ]);
    result.file = path.join(input.downloadDir, download.suggestedFilename());
    await download.saveAs(result.file);

    [download] = await Promise.all([page.waitForEvent('download'), page.click('#zip')]);
    result.zip = path.join(input.downloadDir, download.suggestedFilename());
    await download.saveAs(result.zip);

    await page.setInputFiles('input[name=file]', input.returnFile);
    await shot(page, '3-return-chosen');
    await Promise.all([page.waitForURL(/returned=/), page.click('#return button')]);
    result.notice = await page.locator('#notice').textContent();
    await shot(page, '4-returned');
    result.consoleErrors = consoleErrors;
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(1);
});
