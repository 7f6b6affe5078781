/** Plain L2-regularised logistic regression by full-batch gradient descent on standardised data. */
export type LogisticFit = { mean: number[]; std: number[]; weights: number[]; bias: number };

export function fitLogistic(
  rows: number[][],
  labels: number[],
  options: { l2?: number; iterations?: number; learningRate?: number } = {},
): LogisticFit {
  const { l2 = 1e-3, iterations = 800, learningRate = 0.5 } = options;
  const d = rows[0]?.length ?? 0;
  const n = rows.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const std = Array.from({ length: d }, (_, j) => {
    const v = rows.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / n;
    return Math.sqrt(v) || 1;
  });
  const x = rows.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!));
  // Balance classes so the fitted intercept does not just encode the base rate of the sample.
  const positives = labels.reduce((s, y) => s + y, 0);
  const wPos = positives ? n / (2 * positives) : 1;
  const wNeg = n - positives ? n / (2 * (n - positives)) : 1;
  const weights = new Array<number>(d).fill(0);
  let bias = 0;
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d).fill(0);
    let gradBias = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      let z = bias;
      for (let j = 0; j < d; j++) z += weights[j]! * xi[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const y = labels[i]!;
      const err = (p - y) * (y ? wPos : wNeg);
      for (let j = 0; j < d; j++) grad[j]! += err * xi[j]!;
      gradBias += err;
    }
    for (let j = 0; j < d; j++) weights[j]! -= learningRate * (grad[j]! / n + l2 * weights[j]!);
    bias -= learningRate * (gradBias / n);
  }
  return { mean, std, weights, bias };
}
