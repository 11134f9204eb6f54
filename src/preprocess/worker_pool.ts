/**
 * A small fixed pool of worker threads running one script, one task per worker at a time.
 * Only what the chunked writers need: results come back as promises, any worker failure
 * (a thrown task, an uncaught error, an unexpected exit) rejects with the worker's error,
 * and close() terminates every thread so nothing outlives the write.
 */
import { Worker, parentPort } from 'node:worker_threads';

interface TaskMessage<Req> { id: number; req: Req }
type ResultMessage<Res> =
  | { id: number; ok: true; res: Res }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string } };

interface Pending<Req, Res> {
  id: number;
  req: Req;
  transfer: readonly ArrayBuffer[];
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

let liveWorkers = 0;

/** Worker threads of every pool that have started and not yet exited (for tests and diagnostics). */
export function livePoolWorkers(): number {
  return liveWorkers;
}

/** Rebuilds an error posted by a worker (errors are cloned without their class). */
function revive(e: { name: string; message: string; stack?: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

export class WorkerPool<Req, Res> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending<Req, Res>>();
  private readonly queue: Pending<Req, Res>[] = [];
  private readonly exited: Promise<void>[] = [];
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(entry: string, size: number, workerData: unknown) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker pool size must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) this.spawn(entry, workerData);
  }

  /** Runs one task; `transfer` buffers move to the worker (the caller must not touch them again). */
  run(req: Req, transfer: readonly ArrayBuffer[] = []): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, req, transfer, resolve, reject });
      this.pump();
    });
  }

  /** Terminates every worker; pending tasks reject. Resolves once all threads have exited. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.failAll(new Error('worker pool closed before the task finished'));
      for (const w of this.workers) void w.terminate();
    }
    await Promise.all(this.exited);
  }

  private spawn(entry: string, workerData: unknown): void {
    const worker = new Worker(entry, { workerData });
    this.workers.push(worker);
    liveWorkers++;
    this.exited.push(new Promise<void>((resolveExit) => {
      worker.once('exit', (code) => {
        liveWorkers--;
        const i = this.idle.indexOf(worker);
        if (i >= 0) this.idle.splice(i, 1);
        if (!this.closing) this.fail(new Error(`worker thread ${entry} exited unexpectedly with code ${code}`));
        resolveExit();
      });
    }));
    worker.on('message', (msg: ResultMessage<Res>) => {
      const task = this.busy.get(worker);
      if (!task || task.id !== msg.id) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      if (msg.ok) task.resolve(msg.res);
      else task.reject(revive(msg.error));
      this.pump();
    });
    // An uncaught error kills the worker: the whole pool is unusable from then on.
    worker.on('error', (err: Error) => this.fail(err));
    this.idle.push(worker);
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const task = this.queue.shift() as Pending<Req, Res>;
      this.busy.set(worker, task);
      const msg: TaskMessage<Req> = { id: task.id, req: task.req };
      worker.postMessage(msg, [...task.transfer]);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.failAll(this.failure);
  }

  private failAll(err: Error): void {
    for (const task of this.busy.values()) task.reject(err);
    this.busy.clear();
    for (const task of this.queue.splice(0)) task.reject(err);
  }
}

/**
 * The worker side: answers each task with `handler`'s result (its `transfer` buffers moved
 * back) or with the error it threw.
 */
export function serveWorkerTasks<Req, Res>(handler: (req: Req) => { res: Res; transfer: ArrayBuffer[] }): void {
  const port = parentPort;
  if (port === null) throw new Error('serveWorkerTasks must run in a worker thread');
  port.on('message', ({ id, req }: TaskMessage<Req>) => {
    let reply: ResultMessage<Res>;
    let transfer: ArrayBuffer[] = [];
    try {
      const out = handler(req);
      reply = { id, ok: true, res: out.res };
      transfer = out.transfer;
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      reply = { id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
    }
    port.postMessage(reply, transfer);
  });
}
