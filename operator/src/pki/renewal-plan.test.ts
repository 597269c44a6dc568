import { describe, expect, it } from 'vitest';
import type {
  CaFacts,
  CertificatePlan,
  LeafFacts,
  LeafState,
  PlanCertificatesInput,
} from './renewal-plan.ts';
import { planCertificates } from './renewal-plan.ts';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS);

const OLD: CaFacts = { fingerprint: 'OLD', notBefore: days(-300), notAfter: days(65) };
const NEW: CaFacts = { fingerprint: 'NEW', notBefore: days(-1), notAfter: days(729) };
const WANTED = { dnsNames: ['b-0.b.ns.svc'], ipAddresses: ['10.0.0.1'] };

function leaf(issuer: string, notAfterDays = 60, sans = WANTED): LeafFacts {
  return { notBefore: days(-30), notAfter: days(notAfterDays), ...sans, issuerFingerprint: issuer };
}

function leaves(...facts: (LeafFacts | undefined)[]): LeafState[] {
  return facts.map((current, i) => ({ name: `leaf-${i}`, wanted: WANTED, current }));
}

function input(change: Partial<PlanCertificatesInput>): PlanCertificatesInput {
  return {
    now: NOW,
    ca: { current: NEW, previous: undefined },
    trusted: ['NEW'],
    leaves: leaves(leaf('NEW')),
    renewalDays: 30,
    caRenewalDays: 30,
    rolledOut: true,
    ...change,
  };
}

/** The plan in one line per step, for readable tables. */
function summary(plan: CertificatePlan): string[] {
  const head = `${plan.phase}${plan.waitingForRoll ? ' (waiting for roll)' : ''}`;
  return [
    head,
    ...plan.steps.map((s) => {
      switch (s.kind) {
        case 'issue-ca':
          return `issue-ca: ${s.reason}`;
        case 'issue-leaf':
          return `issue-leaf ${s.name} by ${s.signer}: ${s.reason}`;
        case 'publish-trust':
          return `publish-trust ${s.cas.join('+')}`;
        case 'drop-previous-ca':
          return 'drop-previous-ca';
        case 'roll':
          return 'roll';
      }
    }),
  ];
}

describe('planCertificates', () => {
  it.each<[string, Partial<PlanCertificatesInput>, string[]]>([
    [
      'nothing stored: issue everything, no roll',
      {
        ca: { current: undefined, previous: undefined },
        trusted: [],
        leaves: leaves(undefined, undefined),
      },
      [
        'initial',
        'issue-ca: no CA yet',
        'publish-trust current',
        'issue-leaf leaf-0 by current: no CA yet',
        'issue-leaf leaf-1 by current: no CA yet',
      ],
    ],
    ['all fresh: nothing to do', {}, ['steady']],
    [
      'a leaf within renewalDays of its end',
      { leaves: leaves(leaf('NEW', 60), leaf('NEW', 29)) },
      [
        'steady',
        `issue-leaf leaf-1 by current: the certificate expires at ${days(29).toISOString()}, within 30 renewal days`,
        'roll',
      ],
    ],
    [
      'an expired leaf',
      { leaves: leaves(leaf('NEW', -1)) },
      [
        'steady',
        `issue-leaf leaf-0 by current: the certificate expired at ${days(-1).toISOString()}`,
        'roll',
      ],
    ],
    [
      'a leaf that no longer covers the wanted names (scale-up)',
      { leaves: leaves(leaf('NEW', 60, { dnsNames: [], ipAddresses: ['10.0.0.1'] })) },
      ['steady', 'issue-leaf leaf-0 by current: does not cover b-0.b.ns.svc', 'roll'],
    ],
    [
      'extra names are harmless',
      {
        leaves: leaves(
          leaf('NEW', 60, {
            dnsNames: ['b-0.b.ns.svc', 'b-9.b.ns.svc'],
            ipAddresses: ['10.0.0.1'],
          }),
        ),
      },
      ['steady'],
    ],
    [
      'a leaf not signed by the current CA',
      { leaves: leaves(leaf('OTHER')) },
      ['steady', 'issue-leaf leaf-0 by current: not signed by the current CA', 'roll'],
    ],
    [
      'a leaf for a new role: no roll',
      { leaves: leaves(leaf('NEW'), undefined) },
      ['steady', 'issue-leaf leaf-1 by current: no certificate yet'],
    ],
    [
      'forced leaf renewal',
      { leaves: leaves(leaf('NEW'), leaf('NEW')), forceRenewal: 'leaves' },
      [
        'steady',
        'issue-leaf leaf-0 by current: renewal forced by annotation',
        'issue-leaf leaf-1 by current: renewal forced by annotation',
        'roll',
      ],
    ],
    [
      'a trust bundle that is not the current CA alone',
      { trusted: ['NEW', 'STALE'] },
      ['steady', 'publish-trust current', 'roll'],
    ],
  ])('%s', (_what, change, expected) => {
    expect(summary(planCertificates(input(change)))).toEqual(expected);
  });

  describe('separate windows: leaves renewalDays, the CA caRenewalDays', () => {
    // A five-year CA with a year-long leaf: the usual life of a production cluster.
    const LONG: CaFacts = { fingerprint: 'NEW', notBefore: days(-1000), notAfter: days(825) };
    const windows = { renewalDays: 30, caRenewalDays: 90 };

    it.each<[string, Partial<PlanCertificatesInput>, string[]]>([
      [
        'a leaf within renewalDays is re-issued by the same CA, one roll, the CA untouched',
        { ...windows, ca: { current: LONG, previous: undefined }, leaves: leaves(leaf('NEW', 20)) },
        [
          'steady',
          `issue-leaf leaf-0 by current: the certificate expires at ${days(20).toISOString()}, within 30 renewal days`,
          'roll',
        ],
      ],
      [
        'a CA within caRenewalDays but not within renewalDays starts the key replacement',
        {
          ...windows,
          ca: { current: { ...LONG, notAfter: days(80) }, previous: undefined },
          leaves: leaves(leaf('NEW', 60)),
        },
        [
          'trust-both',
          `issue-ca: the CA expires at ${days(80).toISOString()}, within 90 renewal days`,
          'publish-trust previous+current',
          'roll',
        ],
      ],
      [
        'a CA just outside caRenewalDays: nothing to do',
        {
          ...windows,
          ca: { current: { ...LONG, notAfter: days(91) }, previous: undefined },
          leaves: leaves(leaf('NEW', 60)),
        },
        ['steady'],
      ],
      [
        // caRenewalDays < renewalDays is refused at admission, but a CRD older than the field
        // defaults it in the operator: re-issuing from the same CA would not move the end.
        'a leaf that ends with its CA waits for the CA replacement instead of rolling every reconcile',
        {
          renewalDays: 60,
          caRenewalDays: 10,
          ca: { current: { ...LONG, notAfter: days(40) }, previous: undefined },
          leaves: leaves(leaf('NEW', 40)),
        },
        ['steady'],
      ],
      [
        'an expired leaf that ended with its CA is re-issued all the same',
        {
          ...windows,
          ca: { current: { ...LONG, notAfter: days(-1) }, previous: undefined },
          leaves: leaves(leaf('NEW', -1)),
        },
        [
          'trust-both',
          `issue-ca: the CA expired at ${days(-1).toISOString()}`,
          'publish-trust previous+current',
          `issue-leaf leaf-0 by previous: the certificate expired at ${days(-1).toISOString()}`,
          'roll',
        ],
      ],
    ])('%s', (_what, change, expected) => {
      expect(summary(planCertificates(input(change)))).toEqual(expected);
    });
  });

  describe('CA key replacement', () => {
    it.each<[string, Partial<PlanCertificatesInput>, string[]]>([
      [
        'phase 1 (trust-both) when the CA is within renewalDays',
        {
          ca: { current: { ...OLD, notAfter: days(20) }, previous: undefined },
          trusted: ['OLD'],
          leaves: leaves(leaf('OLD', 15)),
        },
        [
          'trust-both',
          `issue-ca: the CA expires at ${days(20).toISOString()}, within 30 renewal days`,
          'publish-trust previous+current',
          `issue-leaf leaf-0 by previous: the certificate expires at ${days(15).toISOString()}, within 30 renewal days`,
          'roll',
        ],
      ],
      [
        'phase 1 when forced, leaves untouched',
        {
          ca: { current: OLD, previous: undefined },
          trusted: ['OLD'],
          leaves: leaves(leaf('OLD')),
          forceRenewal: 'ca',
        },
        [
          'trust-both',
          'issue-ca: renewal forced by annotation',
          'publish-trust previous+current',
          'roll',
        ],
      ],
      [
        'phase 1 resumed when the bundle was not written yet',
        { ca: { current: NEW, previous: OLD }, trusted: ['OLD'], leaves: leaves(leaf('OLD')) },
        ['trust-both', 'publish-trust previous+current', 'roll'],
      ],
      [
        'phase 1 waits for its roll',
        {
          ca: { current: NEW, previous: OLD },
          trusted: ['OLD', 'NEW'],
          leaves: leaves(leaf('OLD')),
          rolledOut: false,
        },
        ['trust-both (waiting for roll)'],
      ],
      [
        'phase 2 (reissue-leaves) once every pod trusts both',
        {
          ca: { current: NEW, previous: OLD },
          trusted: ['NEW', 'OLD'],
          leaves: leaves(leaf('OLD'), leaf('NEW')),
        },
        [
          'reissue-leaves',
          'issue-leaf leaf-0 by current: CA key replacement: signed by the new CA',
          'roll',
        ],
      ],
      [
        'phase 2 waits for its roll',
        {
          ca: { current: NEW, previous: OLD },
          trusted: ['OLD', 'NEW'],
          leaves: leaves(leaf('NEW')),
          rolledOut: false,
        },
        ['reissue-leaves (waiting for roll)'],
      ],
      [
        'phase 3 (drop-old-ca) once every leaf comes from the new CA and runs',
        {
          ca: { current: NEW, previous: OLD },
          trusted: ['OLD', 'NEW'],
          leaves: leaves(leaf('NEW'), leaf('NEW')),
        },
        ['drop-old-ca', 'drop-previous-ca', 'publish-trust current', 'roll'],
      ],
      [
        'phase 3 resumed when the bundle was written but the old CA not yet dropped',
        { ca: { current: NEW, previous: OLD }, trusted: ['NEW'], leaves: leaves(leaf('NEW')) },
        ['drop-old-ca', 'drop-previous-ca', 'publish-trust current', 'roll'],
      ],
      [
        'a forced CA renewal does not restart a replacement under way',
        {
          ca: { current: NEW, previous: OLD },
          trusted: ['OLD', 'NEW'],
          leaves: leaves(leaf('OLD')),
          forceRenewal: 'ca',
        },
        [
          'reissue-leaves',
          'issue-leaf leaf-0 by current: CA key replacement: signed by the new CA',
          'roll',
        ],
      ],
    ])('%s', (_what, change, expected) => {
      expect(summary(planCertificates(input(change)))).toEqual(expected);
    });

    it('walks the three phases in order, each after a roll, and ends steady', () => {
      // Applies each plan the way the shell would, with pods rolled between reconciles.
      let state = input({
        ca: { current: OLD, previous: undefined },
        trusted: ['OLD'],
        leaves: leaves(leaf('OLD'), leaf('OLD')),
        forceRenewal: 'ca',
      });
      const phases: string[] = [];
      for (let i = 0; i < 6; i++) {
        const plan = planCertificates(state);
        phases.push(plan.phase);
        if (plan.phase === 'steady' && plan.steps.length === 0) break;
        let { current, previous } = state.ca;
        let trusted = [...state.trusted];
        let facts = state.leaves;
        for (const step of plan.steps) {
          if (step.kind === 'issue-ca') [previous, current] = [current, NEW];
          if (step.kind === 'drop-previous-ca') previous = undefined;
          if (step.kind === 'publish-trust') {
            trusted = step.cas.map((ref) => (ref === 'current' ? current : previous)!.fingerprint);
          }
          if (step.kind === 'issue-leaf') {
            const signer = step.signer === 'current' ? current : previous;
            facts = facts.map((l) =>
              l.name === step.name ? { ...l, current: leaf(signer!.fingerprint) } : l,
            );
          }
        }
        state = {
          ...state,
          ca: { current, previous },
          trusted,
          leaves: facts,
          forceRenewal: undefined,
          rolledOut: true,
        };
      }
      expect(phases).toEqual(['trust-both', 'reissue-leaves', 'drop-old-ca', 'steady']);
      expect(state.trusted).toEqual(['NEW']);
      expect(state.leaves.map((l) => l.current?.issuerFingerprint)).toEqual(['NEW', 'NEW']);
    });
  });
});
