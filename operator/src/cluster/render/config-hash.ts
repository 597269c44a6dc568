// A digest of everything in the ConfigMap whose change needs a restart. It goes on the pod
// template, so a change makes a new StatefulSet revision and the roller sees stale pods.
import { createHash } from 'node:crypto';

export function configHash(parts: Record<string, string>): string {
  const h = createHash('sha256');
  for (const key of Object.keys(parts).sort()) h.update(`${key}\0${parts[key]}\0`);
  return h.digest('hex').slice(0, 16);
}
