/** A request routed once before timing starts, so connection set-up is not counted as latency. */
export const RETRIEVAL_PROBE = 'my password expired'
