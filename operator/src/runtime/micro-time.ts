// metav1.MicroTime wants exactly six fractional digits; Date gives three.
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
