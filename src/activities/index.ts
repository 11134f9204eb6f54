/**
 * The activity factory the plugin registers: thin adapters from StageRequest to the domain
 * stages in src/pipeline/stages, through the shared stage runner.
 */
import { stageConfigHash } from '../config';
import type { StageName } from '../pipeline/layout';
import { stageManifestPath } from '../pipeline/layout';
import { runCompileStage } from '../pipeline/stages/compile';
import { runCurateFirstStage, runCurateSecondStage } from '../pipeline/stages/curate';
import { runExtractStage } from '../pipeline/stages/extract';
import { runLoadStage } from '../pipeline/stages/load';
import { runSortStage } from '../pipeline/stages/sort';
import { venvPython } from '../util/paths';
import type { SpikelabActivities } from '../workflows/activityApi';
import type { StageReport, StageRequest } from '../workflows/types';
import { finalizeRecording, prepareRecording } from './bookkeeping';
import { layoutOf, loggerOf, recordingFingerprint } from './recordingContext';
import { runStage } from './stageRunner';
import type { StageContext } from './stageRunner';

export interface ActivityDependencies {
  /** Python of the venv that has Kilosort4 (default: the project's .venv). */
  readonly python: string;
}

type StageBody = (ctx: StageContext, req: StageRequest) => Promise<{ outputs: string[]; summary: Record<string, unknown> }>;

function stageActivity(stage: StageName, body: StageBody): (req: StageRequest) => Promise<StageReport> {
  return async (req) => {
    const layout = layoutOf(req.job);
    const inputs: Record<string, string> = { ...(req.upstream as Record<string, string>) };
    // The load stage reads the recording itself; later stages read only upstream artefacts.
    if (stage === 'load') inputs.recording = recordingFingerprint(layout.rec_path);
    return runStage({
      stage,
      layout,
      config: req.job.config,
      manifestPath: stageManifestPath(layout, stage),
      inputs,
      configHash: stageConfigHash(req.job.config, stage),
      force: req.force,
      log: loggerOf(layout, stage),
      run: (ctx) => body(ctx, req),
    });
  };
}

export function createActivities(deps: Partial<ActivityDependencies> = {}): SpikelabActivities {
  const python = deps.python ?? venvPython();
  return {
    prepareRecording,
    finalizeRecording,
    loadStage: stageActivity('load', (ctx) => runLoadStage(ctx)),
    sortStage: stageActivity('sort', (ctx, req) => runSortStage(ctx, req.sorter_params_override ?? null, python)),
    extractStage: stageActivity('extract', (ctx) => runExtractStage(ctx)),
    curateFirstStage: stageActivity('curate_first', (ctx) => runCurateFirstStage(ctx)),
    curateSecondStage: stageActivity('curate_second', (ctx) => runCurateSecondStage(ctx)),
    compileStage: stageActivity('compile', (ctx) => runCompileStage(ctx)),
  };
}
