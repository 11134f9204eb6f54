/**
 * Which Temporal to talk to: TEMPORAL_ADDRESS selects a real cluster; otherwise the embedded
 * local dev server is started (or reused).
 */
import { Client, Connection } from '@temporalio/client';
import { ensureDevServer } from './devServer';
import type { DevServerInfo } from './devServer';

export interface TemporalTarget {
  readonly address: string;
  readonly namespace: string;
  readonly embedded: DevServerInfo | null;
}

export async function resolveTemporal(opts: { stateDir?: string; port?: number } = {}): Promise<TemporalTarget> {
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const address = process.env.TEMPORAL_ADDRESS;
  if (address !== undefined && address !== '') return { address, namespace, embedded: null };
  const embedded = await ensureDevServer(opts);
  return { address: embedded.address, namespace, embedded };
}

export async function connectClient(target: TemporalTarget): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: target.address });
  return { client: new Client({ connection, namespace: target.namespace }), connection };
}
