/**
 * `owners:` for the bad-inputs corpus's base campaign (waves 2011-09-20, 09-22, 09-27..29 in Los
 * Angeles): alice owns the first three days, bob owns none. What the handoff tests share.
 */
export const OWNERS = `owners:
  people:
    - { name: alice, contact: "alice@example.com" }
    - { name: bob, contact: "+1 555 0100" }
  days:
    - { dates: 2011-09-20..2011-09-22, name: alice }
`;

/** The operator that records the tests' hand-offs. */
export const HANDOFF_OPERATOR = { user: 'dba', host: 'ops-1', pid: 4242 };

/** 16:55 in Los Angeles on the first wave's day. */
export const HANDOFF_AT = Date.parse('2011-09-20T23:55:00.000Z');
