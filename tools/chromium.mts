// `tsx tools/chromium.mts`: makes sure Debian's Chromium is at /usr/bin/chromium, the browser
// `npm run test:browser` drives through playwright-core (which never downloads a browser here).
// As root on Debian/Ubuntu it installs the `chromium` package with apt-get; otherwise it prints
// what to install and exits 1. Does nothing when Chromium is already there.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const chromiumPath = "/usr/bin/chromium";

export const chromiumMissing = (): string =>
  `Chromium is not installed at ${chromiumPath}. Install Debian's package: ` +
  "`sudo apt-get update && sudo apt-get install -y chromium` (or, as root, `npx tsx tools/chromium.mts`).";

function main(): void {
  if (existsSync(chromiumPath)) {
    console.log(`chromium: ${chromiumPath} is installed`);
    return;
  }
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    console.error(chromiumMissing());
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "chromium"]]) {
    console.log(`chromium: apt-get ${args.join(" ")}`);
    const r = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (r.status !== 0) {
      console.error(`chromium: \`apt-get ${args.join(" ")}\` exited with ${r.status ?? r.signal}`);
      process.exit(1);
    }
  }
  if (!existsSync(chromiumPath)) {
    console.error(`chromium: the package is installed but ${chromiumPath} is still missing`);
    process.exit(1);
  }
  console.log(`chromium: installed ${chromiumPath}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
