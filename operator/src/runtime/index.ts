// The runtime's public surface: what controllers and main.ts import.
export {
  apply,
  applyBody,
  applyStatus,
  applyStatusIfChanged,
  controllerReference,
  fieldManager,
  sameJson,
} from './apply.ts';
export type { ApplyOptions } from './apply.ts';
export { backoffDelay } from './backoff.ts';
export type { BackoffPolicy } from './backoff.ts';
export { FakeClock, sleep, systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export {
  conditionTime,
  findCondition,
  isConditionTrue,
  removeCondition,
  setCondition,
} from './conditions.ts';
export type { Condition, ConditionInput, ConditionStatus } from './conditions.ts';
export { Controller, controllerOwnerKeys } from './controller.ts';
export type { ControllerOptions, FinalizeResult, FinalizerHook, Reconciler } from './controller.ts';
export { EventRecorder } from './events.ts';
export type { EventRecorderOptions, EventType } from './events.ts';
export { checkReport, startHealthServer } from './health-server.ts';
export type { HealthChecks, HealthServer, HealthServerOptions } from './health-server.ts';
export { Informer, kubeListWatch, stripManagedFields } from './informer.ts';
export type { InformerHandlers, InformerOptions, ListWatchSource } from './informer.ts';
export {
  KubeApiError,
  KubeClient,
  UnknownKindError,
  isConflict,
  isGone,
  isNotFound,
  loadKubeConfig,
} from './kube-client.ts';
export { LeaderElector, kubeLeaseStore } from './leader-election.ts';
export type { LeaderElectorOptions, LeaseStore } from './leader-election.ts';
export { createLogger, parseLogLevel, silentLogger } from './logger.ts';
export type { LogFields, LogLevel, Logger } from './logger.ts';
export { Manager } from './manager.ts';
export type { ManagerOptions, StopReason } from './manager.ts';
export { Counter, Gauge, Histogram, Registry } from './metrics.ts';
export { createOperatorMetrics } from './operator-metrics.ts';
export type { OperatorMetrics } from './operator-metrics.ts';
export { builtinResources, objectKey, resourcePath, splitKey } from './resource.ts';
export type { KubeList, KubeObject, ObjectMeta, OwnerReference, ResourceInfo } from './resource.ts';
export { WorkQueue } from './work-queue.ts';
export type { Reconcile, ReconcileResult, WorkQueueOptions } from './work-queue.ts';
