// The Kafka-side steps: the scale plan's requests (reassignments, quorum membership, broker
// unregistration), cluster-wide dynamic config, and the metadata.version feature. A refused
// or failed request is an Event; the next reconcile sees the state again and decides afresh.
import { metadataLevelOfRelease } from '../../kafka/metadata-versions.ts';
import { errorText } from '../deps.ts';
import type { ClusterModel } from '../model/cluster-model.ts';
import { CONTROLLER_LISTENER, controllerLayout, podDnsName } from '../model/node-layout.ts';
import { movesByTopic } from '../observe/cluster-resource.ts';
import type { ClusterPlan } from '../plan/cluster-plan.ts';
import type { ScaleAction } from '../plan/scale-plan.ts';
import type { StepContext } from './kube.ts';

export async function scaleInKafka(
  ctx: StepContext,
  model: ClusterModel,
  plan: ClusterPlan,
): Promise<void> {
  for (const step of plan.scale) await scaleStep(ctx, model, step);
}

async function scaleStep(ctx: StepContext, model: ClusterModel, step: ScaleAction): Promise<void> {
  const { deps, kc, log, bootstrap, security } = ctx;
  if (ctx.kafkaPending && step.action !== 'set-replicas' && step.action !== 'wait') return;
  const cluster = deps.clusterKafka(bootstrap, security);
  try {
    switch (step.action) {
      case 'set-replicas':
        return; // carried by the rendered StatefulSet
      case 'wait':
        log.info('scale waits', { reason: step.reason, message: step.message });
        return;
      case 'refuse':
        log.warn('scale refused', { reason: step.reason, message: step.message });
        void deps.events.warning(kc, step.reason, 'Scale', step.message);
        return;
      case 'reassign': {
        const admin = deps.kafka(bootstrap, security);
        for (const [topic, assignments] of movesByTopic(step.moves)) {
          await admin.alterPartitionReassignments(topic, assignments);
        }
        log.info('reassigning partitions', { moves: step.moves.length });
        void deps.events.normal(kc, 'ReassigningPartitions', 'Scale', step.message);
        return;
      }
      case 'add-controller': {
        if (!step.directoryId) {
          log.warn('observer has no directory id yet; cannot add it', { nodeId: step.nodeId });
          return;
        }
        const layout = controllerLayout(model.layouts);
        await cluster.addRaftVoter(step.nodeId, step.directoryId, {
          name: CONTROLLER_LISTENER.name,
          host: podDnsName(model.ref, layout, step.nodeId - layout.idBase),
          port: CONTROLLER_LISTENER.port,
        });
        void deps.events.normal(kc, 'ControllerAdded', 'Scale', step.message);
        return;
      }
      case 'remove-controller': {
        if (!step.directoryId) {
          log.warn('voter has no directory id; cannot remove it', { nodeId: step.nodeId });
          return;
        }
        await cluster.removeRaftVoter(step.nodeId, step.directoryId);
        void deps.events.normal(kc, 'ControllerRemoved', 'Scale', step.message);
        return;
      }
      case 'unregister-broker':
        await cluster.unregisterBroker(step.nodeId);
        void deps.events.normal(kc, 'BrokerUnregistered', 'Scale', step.message);
        return;
    }
  } catch (e) {
    log.warn('scale step failed', { action: step.action, err: errorText(e) });
    void deps.events.warning(kc, 'ScaleStepFailed', 'Scale', `${step.message}: ${errorText(e)}`);
  }
}

/** Cluster-wide broker defaults, without a restart. */
export async function setDynamicConfig(ctx: StepContext, plan: ClusterPlan): Promise<void> {
  const { deps, kc, log } = ctx;
  const keys = Object.keys(plan.dynamicConfig).join(', ');
  if (!keys || ctx.kafkaPending) return;
  try {
    await deps.clusterKafka(ctx.bootstrap, ctx.security).alterBrokerDefaults(plan.dynamicConfig);
    log.info('dynamic config applied', { keys });
    const note = `applied cluster-wide broker config without a restart: ${keys}`;
    void deps.events.normal(kc, 'ConfigUpdated', 'AlterConfigs', note);
  } catch (e) {
    void deps.events.warning(kc, 'ConfigRejected', 'AlterConfigs', errorText(e));
    log.warn('dynamic config refused', { err: errorText(e) });
  }
}

/** metadata.version, once every node runs the new version (the plan says when). */
export async function upgradeMetadataVersion(ctx: StepContext, plan: ClusterPlan): Promise<void> {
  const { deps, kc, log } = ctx;
  const step = plan.metadataStep;
  if (step.action !== 'upgrade' || ctx.kafkaPending) return;
  const level = metadataLevelOfRelease(step.releaseVersion);
  if (level === undefined) {
    log.warn('unknown release for metadata.version', { release: step.releaseVersion });
    return;
  }
  try {
    await deps.clusterKafka(ctx.bootstrap, ctx.security).upgradeFeature('metadata.version', level);
    void deps.events.normal(kc, 'MetadataVersionUpgraded', 'UpdateFeatures', step.message);
  } catch (e) {
    log.warn('metadata.version upgrade failed', { err: errorText(e) });
    void deps.events.warning(kc, 'MetadataVersionUpgradeFailed', 'UpdateFeatures', errorText(e));
  }
}
