export const STATES: readonly ["current", "drift", "conflict", "not set up", "error"];
export type FixtureState = (typeof STATES)[number];
export function fleetFixtures(count: number, opts?: { only?: FixtureState }): { root: string; repos: { dir: string; name: string; state: FixtureState }[] };
