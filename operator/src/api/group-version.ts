// The API group and version every kraftwerk resource is served under.
export const API_GROUP = 'kraftwerk.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}` as const;

/** Categories let `kubectl get kafka` (or `kraftwerk`) list all four kinds at once. */
export const CATEGORIES = ['kafka', 'kraftwerk'];
