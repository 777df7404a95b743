import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Graph } from './graph.js';
import { mulberry32 } from './prng.js';

export interface AlgebraicConnectivity {
  value: number;
  method: 'dense' | 'lanczos';
}

/**
 * The Fiedler value of a connected graph: the second-smallest eigenvalue of its Laplacian L = D − A.
 * Up to `denseMax` nodes, a full symmetric eigendecomposition (ml-matrix: Householder tridiagonalisation and QL);
 * above, Lanczos with full reorthogonalisation on L⁺ restricted to 1⊥ (shift-invert at 0: each step solves L y = x
 * by Jacobi-preconditioned conjugate gradients), whose largest eigenvalue is 1/λ₂, refined by the Rayleigh
 * quotient of the Ritz vector on L itself.
 */
export function algebraicConnectivity(g: Graph, options: { denseMax: number; tolerance?: number; seed?: number }): AlgebraicConnectivity {
  if (g.n <= options.denseMax) return { value: denseFiedler(g), method: 'dense' };
  return { value: lanczosFiedler(g, options.tolerance ?? 1e-11, options.seed ?? 1), method: 'lanczos' };
}

export function denseFiedler(g: Graph): number {
  const L = Matrix.zeros(g.n, g.n);
  for (const [u, v] of g.edges) {
    L.set(u, v, -1);
    L.set(v, u, -1);
    L.set(u, u, L.get(u, u) + 1);
    L.set(v, v, L.get(v, v) + 1);
  }
  const values = [...new EigenvalueDecomposition(L, { assumeSymmetric: true }).realEigenvalues].sort((a, b) => a - b);
  return Math.max(0, values[1] ?? 0);
}

function laplacianTimes(g: Graph, x: Float64Array, out: Float64Array): void {
  for (let v = 0; v < g.n; v++) {
    const start = g.offsets[v]!;
    const end = g.offsets[v + 1]!;
    let s = (end - start) * x[v]!;
    for (let i = start; i < end; i++) s -= x[g.targets[i]!]!;
    out[v] = s;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function removeMean(x: Float64Array): void {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  for (let i = 0; i < x.length; i++) x[i]! -= mean;
}

/** Solves L y = b for b ⊥ 1 (a consistent singular system) by CG with the Jacobi preconditioner; y ⊥ 1. */
function solveLaplacian(g: Graph, b: Float64Array, relTol: number): Float64Array {
  const n = g.n;
  const y = new Float64Array(n);
  const r = Float64Array.from(b);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const inv = new Float64Array(n);
  for (let v = 0; v < n; v++) inv[v] = 1 / (g.offsets[v + 1]! - g.offsets[v]!);
  const bNorm = Math.sqrt(dot(b, b));
  if (bNorm === 0) return y;
  for (let i = 0; i < n; i++) z[i] = r[i]! * inv[i]!;
  p.set(z);
  let rz = dot(r, z);
  for (let iteration = 0; iteration < 20 * n; iteration++) {
    laplacianTimes(g, p, q);
    const alpha = rz / dot(p, q);
    for (let i = 0; i < n; i++) {
      y[i]! += alpha * p[i]!;
      r[i]! -= alpha * q[i]!;
    }
    if (Math.sqrt(dot(r, r)) <= relTol * bNorm) break;
    for (let i = 0; i < n; i++) z[i] = r[i]! * inv[i]!;
    const next = dot(r, z);
    const beta = next / rz;
    rz = next;
    for (let i = 0; i < n; i++) p[i] = z[i]! + beta * p[i]!;
  }
  removeMean(y);
  return y;
}

export function lanczosFiedler(g: Graph, tolerance: number, seed: number, maxSteps = 300): number {
  const n = g.n;
  const rng = mulberry32(seed);
  const basis: Float64Array[] = [];
  const alphas: number[] = [];
  const betas: number[] = [];
  let v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.next() - 0.5;
  removeMean(v);
  let norm = Math.sqrt(dot(v, v));
  for (let i = 0; i < n; i++) v[i]! /= norm;
  let ritz: { value: number; vector: number[] } | undefined;
  for (let j = 0; j < Math.min(maxSteps, n - 1); j++) {
    basis.push(v);
    const w = solveLaplacian(g, v, 1e-12);
    const alpha = dot(w, v);
    alphas.push(alpha);
    // Full reorthogonalisation, twice (Kahan's "twice is enough"): keeps the basis orthogonal to working precision.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of basis) {
        const c = dot(w, u);
        for (let i = 0; i < n; i++) w[i]! -= c * u[i]!;
      }
      removeMean(w);
    }
    const beta = Math.sqrt(dot(w, w));
    const k = alphas.length;
    if (k % 5 === 0 || beta < 1e-14 || k === Math.min(maxSteps, n - 1)) {
      const T = Matrix.zeros(k, k);
      for (let i = 0; i < k; i++) {
        T.set(i, i, alphas[i]!);
        if (i + 1 < k) {
          T.set(i, i + 1, betas[i]!);
          T.set(i + 1, i, betas[i]!);
        }
      }
      const evd = new EigenvalueDecomposition(T, { assumeSymmetric: true });
      const values = evd.realEigenvalues;
      let top = 0;
      for (let i = 1; i < k; i++) if (values[i]! > values[top]!) top = i;
      const s = evd.eigenvectorMatrix.getColumn(top);
      ritz = { value: values[top]!, vector: s };
      if (Math.abs(beta * s[k - 1]!) <= tolerance * Math.abs(values[top]!) || beta < 1e-14) break;
    }
    betas.push(beta);
    v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = w[i]! / beta;
  }
  if (!ritz) throw new Error('Lanczos took no step');
  const y = new Float64Array(n);
  ritz.vector.forEach((c, j) => {
    const u = basis[j]!;
    for (let i = 0; i < n; i++) y[i]! += c * u[i]!;
  });
  removeMean(y);
  const Ly = new Float64Array(n);
  laplacianTimes(g, y, Ly);
  norm = dot(y, y);
  return dot(y, Ly) / norm;
}
