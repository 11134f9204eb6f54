#!/usr/bin/env node
/**
 * The `spikelab` command line: demo, sort, worker, status, config show, server, inspect, preprocess.
 */
import { Command, CommanderError } from 'commander';
import { JobSpecError } from '../client/jobs';
import { ConfigValidationError } from '../config';
import { SpikeSortingClassifiedError } from '../errors/taxonomy';
import { CliUsageError, splitConfigFlags, unknownFlagMessage } from './configArgs';
import { configShowCommand } from './commands/configShow';
import { demoCommand } from './commands/demo';
import { inspectCommand } from './commands/inspect';
import { preprocessCommand } from './commands/preprocess';
import { serverCommand } from './commands/server';
import { sortCommand } from './commands/sort';
import { statusCommand } from './commands/status';
import { workerCommand } from './commands/worker';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(overrides: Record<string, unknown>): Command {
  const program = new Command('spikelab')
    .description('Durable spike sorting of multi-electrode-array recordings on Temporal')
    .showHelpAfterError()
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program.command('demo')
    .description('generate a small synthetic MaxOne recording with known units, sort it with Kilosort4, report accuracy')
    .option('--out <dir>', 'where the demo recording and results go (default: <state dir>/demo)')
    .option('--duration <s>', 'recording length in seconds', '60')
    .option('--channels <n>', 'number of channels', '32')
    .option('--units <n>', 'number of ground-truth units', '8')
    .option('--seed <n>', 'random seed of the generated recording', '7')
    .option('--no-worker', 'do not run an in-process worker (a `spikelab worker` must be running)')
    .option('--json', 'print the run report as JSON on stdout')
    .action(async (opts) => { process.exitCode = await demoCommand(opts, overrides); });

  program.command('sort')
    .description('sort recordings (config fields are flags: --snr-min 5, --delete-inter false, …)')
    .argument('<paths...>', 'recordings: .raw.h5, .nwb, .dat/.bin (with a sidecar JSON), or a directory of .raw.h5 / .nwb files')
    .option('--preset <name>', 'KILOSORT4, KILOSORT2, RT_SORT_MEA, … (default: the plain defaults)')
    .option('--config <file>', 'JSON config (nested sections or flat keys), applied over the preset')
    .option('--intermediate-folder <dir>', 'intermediate folder, once per recording', collect, [])
    .option('--results-folder <dir>', 'results folder, once per recording', collect, [])
    .option('--stream-ids <ids>', 'sort each of these streams (MaxTwo wells, comma-separated, or all) with its own folders')
    .option('--recurate', 'rerun both curation stages and compile (recurate_first + recurate_second)')
    .option('--no-worker', 'do not run an in-process worker (a `spikelab worker` must be running)')
    .option('--json', 'print the run report as JSON on stdout')
    .action(async (paths: string[], opts) => { process.exitCode = await sortCommand(paths, opts, overrides); });

  program.command('worker')
    .description('run a spikelab worker (TEMPORAL_ADDRESS selects a cluster; else the local dev server)')
    .option('--task-queue <name>', 'task queue', 'spikelab')
    .action(async (opts) => { await workerCommand(opts); });

  program.command('status')
    .description('list recent sorts, or show one sort\'s stages and progress')
    .argument('[id]', 'workflow id')
    .option('--json', 'machine-readable output')
    .action(async (id: string | undefined, opts) => { process.exitCode = await statusCommand(id, opts); });

  const config = program.command('config').description('inspect configuration');
  config.command('show')
    .description('print the resolved config (preset → --config file → flags)')
    .option('--preset <name>', 'preset to start from')
    .option('--config <file>', 'JSON config file')
    .option('--json', 'JSON with Python float spelling (the seed\'s vocabulary)')
    .action((opts) => { process.exitCode = configShowCommand(opts, overrides); });

  program.command('server')
    .description('manage the embedded local Temporal server')
    .argument('<action>', 'start | stop | status')
    .action(async (action: string) => { process.exitCode = await serverCommand(action); });

  program.command('inspect')
    .description('show what a recording holds (streams, channels, rate, dtype, scaling) and data hints from a few short windows')
    .argument('<file>', 'recording: .raw.h5, .nwb, .dat / .bin, or a session directory')
    .option('--rec-name <name>', 'Maxwell recording group (rec0000, …) when the file has several')
    .option('--sample-s <s>', 'seconds of data to read, in windows of at most 1 s spread over the recording', '5')
    .option('--svg <file>', 'write the electrode layout (colour = noise or flag) as SVG')
    .option('--json', 'print one machine-readable JSON object on stdout')
    .addHelpText('after', '\nAlso: --stream-id ID (default: the only stream, or the first of several).')
    .action(async (file: string, opts) => { process.exitCode = await inspectCommand(file, opts, overrides); });

  program.command('preprocess')
    .description('band-pass a recording into the sorter\'s int16 µV binary <stem>_scaled_filtered.dat + JSON sidecar')
    .argument('<file>', 'recording: .raw.h5, .nwb, .dat / .bin, or a session directory')
    .requiredOption('--out <dir>', 'output folder')
    .option('--rec-name <name>', 'Maxwell recording group (rec0000, …) when the file has several')
    .option('--overwrite', 'replace existing outputs')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nAlso: --stream-id ID, --freq-min HZ (300), --freq-max HZ (6000), --start-time-s S, --end-time-s S,\n' +
      '--first-n-mins N, --rec-chunks \'[[s, e], …]\', --rec-chunks-s \'[[s, e], …]\', --mea-y-max V, --gain-to-uv G,\n' +
      '--offset-to-uv O (the recording config fields, in kebab form).')
    .action(async (file: string, opts) => { process.exitCode = await preprocessCommand(file, opts, overrides); });

  return program;
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.unknownOption') {
      const flag = /'([^']+)'/.exec(err.message)?.[1] ?? err.message;
      process.stderr.write(`error: ${unknownFlagMessage(flag)}\n`);
    }
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof ConfigValidationError || err instanceof CliUsageError || err instanceof JobSpecError) {
    process.stderr.write(`error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof SpikeSortingClassifiedError) {
    process.stderr.write(`error (${err.name}, ${err.family}): ${err.message}\n`);
    return 3;
  }
  process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  return 1;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { overrides, rest } = splitConfigFlags(argv);
    const program = buildProgram(overrides);
    await program.parseAsync(rest, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    // Open gRPC handles and the pino file can keep the loop alive after the work is done.
    process.exit(code);
  }, (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
