// Runs the pieces together, as controller-runtime's manager does: caches first, then
// controllers only while this instance leads, health endpoints throughout, and an orderly
// shutdown (stop intake, finish in-flight reconciles by a deadline, release the lease).
import type { Controller } from './controller.ts';
import { FencedError } from './errors.ts';
import type { EventRecorder } from './events.ts';
import { startHealthServer } from './health-server.ts';
import type { HealthServer } from './health-server.ts';
import type { Informer } from './informer.ts';
import { LeaderElector } from './leader-election.ts';
import type { LeaseStore } from './leader-election.ts';
import { silentLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import type { KubeObject } from './resource.ts';

export interface ManagerOptions {
  metrics: OperatorMetrics;
  logger?: Logger;
  /** Port for /metrics, /healthz, /readyz; 0 picks a free one; undefined serves nothing. */
  healthPort?: number;
  healthHost?: string;
  leaderElection?: {
    store: LeaseStore;
    leaseName: string;
    identity: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  shutdownDeadlineMs?: number;
  cacheSyncTimeoutMs?: number;
  events?: EventRecorder;
}

export type StopReason = 'signal' | 'leadership-lost' | 'requested' | 'error';

export class Manager {
  private readonly options: ManagerOptions;
  private readonly log: Logger;
  private readonly informers: Informer<KubeObject>[] = [];
  private readonly controllers: Controller<KubeObject>[] = [];
  private elector: LeaderElector | undefined;
  private server: HealthServer | undefined;
  private controllersRunning = false;
  private stopping: Promise<void> | undefined;
  private resolveDone!: (reason: StopReason) => void;
  /** Resolves with why the manager stopped, once it has stopped. */
  readonly done: Promise<StopReason>;

  constructor(options: ManagerOptions) {
    this.options = options;
    this.log = (options.logger ?? silentLogger).child({ component: 'manager' });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  addInformer<T extends KubeObject>(informer: Informer<T>): Informer<T> {
    this.informers.push(informer as unknown as Informer<KubeObject>);
    return informer;
  }

  addController<T extends KubeObject>(controller: Controller<T>): Controller<T> {
    this.controllers.push(controller as unknown as Controller<KubeObject>);
    return controller;
  }

  cachesSynced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.controllersRunning;
  }

  /**
   * The write fence: throws a FencedError unless this instance may write now. Without leader
   * election every write is allowed; with it, only while the lease is fresh (leader-election.ts).
   */
  assertLeader(): void {
    if (!this.options.leaderElection) return;
    if (!this.elector) throw new FencedError('not the leader: not campaigning yet');
    this.elector.assertLeader();
  }

  healthPort(): number | undefined {
    return this.server?.port;
  }

  /** Starts everything and returns once caches are synced; controllers start when leading. */
  async start(): Promise<void> {
    const o = this.options;
    if (o.healthPort !== undefined) {
      this.server = await startHealthServer({
        port: o.healthPort,
        ...(o.healthHost ? { host: o.healthHost } : {}),
        registry: o.metrics.registry,
        logger: this.log,
        liveness: { ping: () => true },
        // Ready means able to serve: caches synced. A standby is ready too, so a rollout
        // does not wait on leadership.
        readiness: { informers: () => this.cachesSynced() },
      });
    }
    for (const i of this.informers) i.start();
    await Promise.all(this.informers.map((i) => i.waitForSync(o.cacheSyncTimeoutMs ?? 120_000)));
    this.log.info('caches synced', { informers: this.informers.length });

    if (!o.leaderElection) {
      this.startControllers();
      return;
    }
    const le = o.leaderElection;
    this.elector = new LeaderElector({
      ...le,
      logger: this.log,
      metrics: o.metrics,
      onStartedLeading: (signal) => {
        // Lost (fenced, or could not renew): abort what is in flight at once rather than let
        // it run to its next write; the fence refuses that write anyway.
        signal.addEventListener(
          'abort',
          () => {
            for (const c of this.controllers) c.abortInFlight(new FencedError());
            if (!this.stopping) void this.stop('leadership-lost');
          },
          { once: true },
        );
        this.startControllers();
      },
      onStoppedLeading: () => {
        // Another instance may already be reconciling: stop now, and let the process exit
        // (a restart starts campaigning afresh with empty queues).
        if (!this.stopping) void this.stop('leadership-lost');
      },
    });
    void this.elector.run();
  }

  private startControllers(): void {
    if (this.controllersRunning || this.stopping) return;
    this.controllersRunning = true;
    for (const c of this.controllers) c.start();
    this.log.info('controllers started', { controllers: this.controllers.map((c) => c.name) });
  }

  /** Orderly shutdown; safe to call more than once. */
  stop(reason: StopReason = 'requested'): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: StopReason): Promise<void> {
    const deadline = this.options.shutdownDeadlineMs ?? 30_000;
    this.log.info('shutting down', { reason, deadlineMs: deadline });
    const results = await Promise.all(this.controllers.map((c) => c.stop(deadline)));
    if (results.some((r) => !r.drained)) this.log.warn('some reconciles did not finish in time');
    await this.elector?.stop({ release: true });
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.options.events?.flush();
    await this.server?.close();
    this.log.info('stopped', { reason });
    this.resolveDone(reason);
  }

  /** SIGTERM/SIGINT stop the manager once; a second signal exits at once. */
  handleSignals(exit: (code: number) => void = (code) => process.exit(code)): () => void {
    let seen = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (seen) return exit(1);
      seen = true;
      this.log.info('signal received', { signal });
      void this.stop('signal').then(() => exit(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    return () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    };
  }
}
