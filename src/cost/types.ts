/** Cost estimate of running one query on one group. Filled by the cost model's issue. */
export interface CostEstimate {
  readonly usd: number;
  readonly seconds: number;
  readonly bytesScanned: number;
  /** 0..1: how far to trust the numbers. */
  readonly confidence: number;
}
