/** Standalone entry: `npx tsx src/review/cli-main.ts PATH... [--format F] [--xx-image IMG]`. */
import { runReview } from './cli.ts';
import type { Format } from './format.ts';

function parseArgs(args: string[]): { paths: string[]; format: Format; xxImage?: string } | string {
  const paths: string[] = [];
  let format = 'text';
  let xxImage: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--format' || flag === '--xx-image') {
      const v = inline ?? args[++i];
      if (v === undefined) return `${flag} needs a value`;
      if (flag === '--format') format = v;
      else xxImage = v;
    } else if (a.startsWith('--')) {
      return `unknown option ${a}`;
    } else paths.push(a);
  }
  return { paths, format: format as Format, xxImage };
}

const parsed = parseArgs(process.argv.slice(2));
if (typeof parsed === 'string') {
  process.stderr.write(`error: ${parsed}\nusage: review PATH... [--format text|json|sarif|github] [--xx-image IMAGE]\n`);
  process.exitCode = 2;
} else {
  process.exitCode = await runReview(parsed, process.stdout, process.stderr);
}
