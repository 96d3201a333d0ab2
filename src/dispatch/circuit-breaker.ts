/**
 * Per-member circuit breaker: when enough requests in the window fail with engine-unavailable
 * errors, the member is skipped (open) for a backoff; then one trial request is let through
 * (half-open): success closes the breaker, failure reopens it with a doubled backoff.
 */
export interface CircuitBreakerOptions {
  readonly windowMs: number;
  readonly minRequests: number;
  /** 0..1 */
  readonly failureRatio: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private windowStart = 0;
  private requests = 0;
  private failures = 0;
  private openUntil = 0;
  private backoffMs: number;
  private trialInFlight = false;

  constructor(
    private readonly opts: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.backoffMs = opts.initialBackoffMs;
  }

  /** May a request be sent to this member now? (In half-open, only one trial at a time.) */
  allows(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() < this.openUntil) return false;
      this.state = 'half-open';
      this.trialInFlight = false;
    }
    return !this.trialInFlight;
  }

  /** A request was sent (called when a lease is granted). */
  onStart(): void {
    if (this.state === 'half-open') this.trialInFlight = true;
  }

  /** Outcome of a request; `failed` means the engine was unreachable or dropped the connection. */
  onResult(failed: boolean): void {
    const t = this.now();
    if (this.state === 'half-open') {
      this.trialInFlight = false;
      if (failed) this.open(t, Math.min(this.backoffMs * 2, this.opts.maxBackoffMs));
      else this.close();
      return;
    }
    if (t - this.windowStart > this.opts.windowMs) {
      this.windowStart = t;
      this.requests = 0;
      this.failures = 0;
    }
    this.requests++;
    if (failed) this.failures++;
    if (this.state === 'closed' && this.requests >= this.opts.minRequests && this.failures / this.requests >= this.opts.failureRatio) this.open(t, this.backoffMs);
  }

  private open(t: number, backoffMs: number): void {
    this.state = 'open';
    this.backoffMs = backoffMs;
    this.openUntil = t + backoffMs;
  }

  private close(): void {
    this.state = 'closed';
    this.backoffMs = this.opts.initialBackoffMs;
    this.windowStart = this.now();
    this.requests = 0;
    this.failures = 0;
  }

  get current(): CircuitState {
    return this.state === 'open' && this.now() >= this.openUntil ? 'half-open' : this.state;
  }
}
