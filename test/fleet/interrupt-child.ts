// Run by interrupt.test.ts in its own process, so that a real SIGINT can be sent to it.
import { runFleet } from '../../src/fleet/run.ts';

const [reposFile, cacheDir] = process.argv.slice(2);
process.exitCode = await runFleet({ reposFile: reposFile!, cacheDir: cacheDir!, dryRun: true, concurrency: 2, live: false });
