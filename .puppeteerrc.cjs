// The browsers come from the system's package manager (see scripts/ensure-browsers.sh);
// puppeteer must never download a browser build of its own.
module.exports = { skipDownload: true };
