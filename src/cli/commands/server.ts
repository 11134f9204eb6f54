import { existsSync, readFileSync } from 'node:fs';
import { devServerRecordPath, ensureDevServer, portOpen, stopDevServer } from '../../client/devServer';
import { stateDir } from '../../util/paths';
import { CliUsageError } from '../configArgs';

export async function serverCommand(action: string): Promise<number> {
  const dir = stateDir();
  switch (action) {
    case 'start': {
      const info = await ensureDevServer({ stateDir: dir });
      process.stdout.write(`${info.started_now ? 'started' : 'already running'}: Temporal at ${info.address}, UI ${info.ui_url}, database ${info.db_path}\n`);
      return 0;
    }
    case 'stop': {
      const stopped = await stopDevServer(dir);
      process.stdout.write(stopped ? 'stopped the local Temporal server\n' : 'no local Temporal server of ours is running\n');
      return 0;
    }
    case 'status': {
      const rec = devServerRecordPath(dir);
      if (!existsSync(rec)) {
        process.stdout.write(`no local Temporal server has been started from ${dir}\n`);
        return 1;
      }
      const r = JSON.parse(readFileSync(rec, 'utf8')) as { pid: number; port: number; ui_port: number; db_path: string };
      const up = await portOpen(r.port);
      process.stdout.write(`${up ? 'running' : 'not running'}: port ${r.port}, UI http://127.0.0.1:${r.ui_port}, pid ${r.pid}, database ${r.db_path}\n`);
      return up ? 0 : 1;
    }
    default:
      throw new CliUsageError(`unknown server action '${action}': expected start, stop or status`);
  }
}
