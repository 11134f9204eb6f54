import { toPythonJson } from '../../config';
import { configFromSources } from '../configArgs';

export function configShowCommand(opts: { preset?: string; config?: string; json?: boolean }, overrides: Record<string, unknown>): number {
  const config = configFromSources({ preset: opts.preset, configFile: opts.config, overrides });
  if (opts.json) {
    process.stdout.write(`${toPythonJson(config)}\n`);
    return 0;
  }
  for (const [section, fields] of Object.entries(config)) {
    process.stdout.write(`[${section}]\n`);
    for (const [k, v] of Object.entries(fields as Record<string, unknown>)) process.stdout.write(`  ${k.padEnd(40)} ${JSON.stringify(v)}\n`);
  }
  return 0;
}
