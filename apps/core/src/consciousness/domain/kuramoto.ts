/**
 * The Kuramoto model on a graph with degree-normalised coupling (ARCHITECTURE.md):
 *   dθᵢ/dt = ωᵢ + (K/kᵢ)·Σ_{j∈N(i)} sin(θⱼ − θᵢ),
 * integrated with classical fourth-order Runge–Kutta at a fixed step, in simulated time. `complete` topologies use
 * the mean-field identity Σⱼ sin(θⱼ − θᵢ) = cos θᵢ·Σ sin θⱼ − sin θᵢ·Σ cos θⱼ (O(N) per evaluation, kᵢ = N − 1).
 */
export type Topology = { kind: 'graph'; n: number; offsets: Int32Array; targets: Int32Array } | { kind: 'complete'; n: number };

export class Kuramoto {
  readonly n: number;
  readonly theta: Float64Array;
  readonly omega: Float64Array;
  /** Simulated seconds since the start. */
  time = 0;
  readonly #topology: Topology;
  readonly #invDegree: Float64Array;
  readonly #k: Float64Array[];
  readonly #tmp: Float64Array;
  readonly #sin: Float64Array;
  readonly #cos: Float64Array;
  /** #sin/#cos hold sin θ and cos θ of the current state (order() computed them; the next step's first stage reuses them). */
  #trigValid = false;

  constructor(topology: Topology, omega: Float64Array, theta0: Float64Array) {
    const n = topology.n;
    if (omega.length !== n || theta0.length !== n) throw new RangeError('omega and theta0 need one value per oscillator');
    this.n = n;
    this.#topology = topology;
    this.omega = omega;
    this.theta = Float64Array.from(theta0);
    this.#invDegree = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = topology.kind === 'complete' ? n - 1 : topology.offsets[i + 1]! - topology.offsets[i]!;
      this.#invDegree[i] = k > 0 ? 1 / k : 0;
    }
    this.#k = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    this.#tmp = new Float64Array(n);
    this.#sin = new Float64Array(n);
    this.#cos = new Float64Array(n);
  }

  #derivative(theta: Float64Array, coupling: number, out: Float64Array, trigReady = false): void {
    const n = this.n;
    const s = this.#sin;
    const c = this.#cos;
    if (!trigReady) {
      for (let i = 0; i < n; i++) {
        s[i] = Math.sin(theta[i]!);
        c[i] = Math.cos(theta[i]!);
      }
    }
    const t = this.#topology;
    if (t.kind === 'complete') {
      let S = 0;
      let C = 0;
      for (let i = 0; i < n; i++) {
        S += s[i]!;
        C += c[i]!;
      }
      for (let i = 0; i < n; i++) out[i] = this.omega[i]! + coupling * this.#invDegree[i]! * (c[i]! * S - s[i]! * C);
      return;
    }
    for (let i = 0; i < n; i++) {
      let S = 0;
      let C = 0;
      for (let e = t.offsets[i]!; e < t.offsets[i + 1]!; e++) {
        const j = t.targets[e]!;
        S += s[j]!;
        C += c[j]!;
      }
      out[i] = this.omega[i]! + coupling * this.#invDegree[i]! * (c[i]! * S - s[i]! * C);
    }
  }

  /** One RK4 step of `dt` simulated seconds with coupling `K` (rad/s). */
  step(coupling: number, dt: number): void {
    const n = this.n;
    const [k1, k2, k3, k4] = this.#k as [Float64Array, Float64Array, Float64Array, Float64Array];
    const th = this.theta;
    const tmp = this.#tmp;
    this.#derivative(th, coupling, k1, this.#trigValid);
    this.#trigValid = false;
    for (let i = 0; i < n; i++) tmp[i] = th[i]! + 0.5 * dt * k1[i]!;
    this.#derivative(tmp, coupling, k2);
    for (let i = 0; i < n; i++) tmp[i] = th[i]! + 0.5 * dt * k2[i]!;
    this.#derivative(tmp, coupling, k3);
    for (let i = 0; i < n; i++) tmp[i] = th[i]! + dt * k3[i]!;
    this.#derivative(tmp, coupling, k4);
    for (let i = 0; i < n; i++) th[i] = th[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    this.time += dt;
  }

  /** The order parameter r = |(1/N)·Σ e^{iθⱼ}| ∈ [0, 1]. */
  order(): number {
    const s = this.#sin;
    const c = this.#cos;
    let S = 0;
    let C = 0;
    for (let i = 0; i < this.n; i++) {
      s[i] = Math.sin(this.theta[i]!);
      c[i] = Math.cos(this.theta[i]!);
      S += s[i]!;
      C += c[i]!;
    }
    this.#trigValid = true;
    return Math.hypot(S, C) / this.n;
  }
}

/** Deterministic Lorentzian (Cauchy) frequencies of half-width γ around ω₀: the quantiles at (i − ½)/N. */
export function lorentzianQuantiles(n: number, omega0: number, gamma: number): Float64Array {
  const omega = new Float64Array(n);
  for (let i = 0; i < n; i++) omega[i] = omega0 + gamma * Math.tan(Math.PI * ((i + 0.5) / n - 0.5));
  return omega;
}
