import { describe, expect, it } from 'vitest';
import { desiredQuotas, describeQuotaChange, planQuotas } from './quota-plan.ts';

describe('desiredQuotas', () => {
  it("names the spec's fields as Kafka's quota keys and leaves unset ones out", () => {
    expect(desiredQuotas({ producerByteRate: 1024, requestPercentage: 50 })).toEqual({
      producer_byte_rate: 1024,
      request_percentage: 50,
    });
    expect(desiredQuotas({ consumerByteRate: 1, controllerMutationRate: 2.5 })).toEqual({
      consumer_byte_rate: 1,
      controller_mutation_rate: 2.5,
    });
    expect(desiredQuotas(undefined)).toEqual({});
  });
});

describe('planQuotas', () => {
  it('sets what differs and removes what is not declared, in one change', () => {
    const plan = planQuotas(
      'alice',
      { producer_byte_rate: 2048, consumer_byte_rate: 4096 },
      { producer_byte_rate: 1024, request_percentage: 200, consumer_byte_rate: 4096 },
    );
    expect(plan.change).toEqual({
      user: 'alice',
      set: { producer_byte_rate: 2048 },
      remove: ['request_percentage'],
    });
    expect(plan.differing).toEqual(['producer_byte_rate', 'request_percentage']);
  });

  it('has nothing to do when Kafka holds exactly the declared quotas', () => {
    expect(
      planQuotas('alice', { producer_byte_rate: 10 }, { producer_byte_rate: 10 }).change,
    ).toBeUndefined();
    expect(planQuotas('alice', {}, {}).change).toBeUndefined();
  });

  it('takes a double that Kafka hands back for an integer as the same value', () => {
    expect(
      planQuotas('a', { request_percentage: 33.3 }, { request_percentage: 33.300000000000004 })
        .change,
    ).toBeUndefined();
  });

  it('removes every quota of the user when the spec declares none (a zero is a quota)', () => {
    expect(planQuotas('a', {}, { consumer_byte_rate: 0 }).change).toEqual({
      user: 'a',
      set: {},
      remove: ['consumer_byte_rate'],
    });
    expect(planQuotas('a', { consumer_byte_rate: 0 }, {}).change?.set).toEqual({
      consumer_byte_rate: 0,
    });
  });

  it('describes a change with the values it replaces', () => {
    const observed = { producer_byte_rate: 1, request_percentage: 5 };
    const plan = planQuotas('a', { producer_byte_rate: 2, consumer_byte_rate: 3 }, observed);
    expect(describeQuotaChange(plan.change!, observed)).toBe(
      'producer_byte_rate=2 (was 1), consumer_byte_rate=3, request_percentage removed (was 5)',
    );
  });
});
