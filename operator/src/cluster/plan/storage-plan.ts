// Growing persistent volumes. A StatefulSet's claim templates are immutable, so a bigger
// storage.size is carried out on each existing PVC (the CSI driver expands it online) while
// the StatefulSet keeps rendering the size it was created with (RenderInput.existingClaimSize).
import type { StorageSpec } from '../cluster-spec.ts';
import { parseQuantity } from '../model/quantity.ts';

export interface ObservedClaim {
  name: string;
  /** spec.resources.requests.storage */
  requested: string;
  storageClassName?: string;
  /** status.phase is Bound. Only a bound claim can be expanded (the API server refuses the
   *  rest); one still waiting for its pod (WaitForFirstConsumer) is expanded once bound. */
  bound: boolean;
}

export interface StoragePlan {
  /** PVCs to patch to the new size. */
  expand: { name: string; size: string }[];
  /** Why (part of) the change cannot be done; reported as Ready=False, nothing is touched. */
  problems: string[];
}

/** PVC names of a StatefulSet: <claim template>-<statefulset>-<ordinal>. */
export function claimName(statefulSetName: string, ordinal: number): string {
  return `data-${statefulSetName}-${ordinal}`;
}

export function planStorage(
  storage: StorageSpec,
  claims: ObservedClaim[],
  /** allowVolumeExpansion of the claims' StorageClass; undefined when unknown. */
  allowVolumeExpansion: boolean | undefined,
): StoragePlan {
  if (storage.type !== 'persistent-claim' || !storage.size) return { expand: [], problems: [] };
  const wanted = parseQuantity(storage.size);
  if (wanted === undefined)
    return { expand: [], problems: [`storage.size '${storage.size}' is not a quantity`] };
  const expand: StoragePlan['expand'] = [];
  const problems: string[] = [];
  for (const claim of [...claims].sort((a, b) => a.name.localeCompare(b.name))) {
    const have = parseQuantity(claim.requested);
    if (have === undefined || have === wanted || !claim.bound) continue;
    if (wanted < have) {
      problems.push(
        `${claim.name} has ${claim.requested}; volumes cannot shrink to ${storage.size}`,
      );
    } else {
      expand.push({ name: claim.name, size: storage.size });
    }
  }
  if (expand.length > 0 && allowVolumeExpansion === false) {
    const cls = claims[0]?.storageClassName ?? 'the default class';
    return {
      expand: [],
      problems: [
        ...problems,
        `StorageClass ${cls} does not allow volume expansion; ${expand.length} claim(s) stay at their size`,
      ],
    };
  }
  return { expand, problems };
}
