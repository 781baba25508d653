// What every browser test shares: where the local runner is, and Debian's
// Chromium driven by playwright-core (never a browser download).
import { chromium } from "playwright-core";

export const BASE = process.env.BASE_URL || "http://127.0.0.1:3000";

export function launchChromium() {
  // Chromium never gets a preloaded library (make test-times preloads libfaketime
  // into the test processes, and Chromium hangs with it): it keeps the real clock.
  const { LD_PRELOAD, ...env } = process.env;
  return chromium.launch({
    env,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
