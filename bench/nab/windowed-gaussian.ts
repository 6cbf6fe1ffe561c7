/**
 * Baseline: NAB's "Windowed Gaussian" detector re-implemented from its description — a
 * window of the last 6400 values, refreshed every 100 rows; a row's score is
 * 1 − Q(|x − mean| / std), Q the upper tail of the standard normal, computed before the
 * row joins the window. Scores lie in [0.5, 1) once there is a window.
 */
export function windowedGaussian(values: readonly number[], windowSize = 6400, stepSize = 100): number[] {
  const out: number[] = [];
  let win: number[] = [];
  let buffer: number[] = [];
  let mean = 0;
  let std = 1;
  const refresh = (): void => {
    mean = win.reduce((a, b) => a + b, 0) / win.length;
    const v = win.reduce((a, b) => a + (b - mean) ** 2, 0) / win.length;
    std = v > 0 ? Math.sqrt(v) : 1e-6;
  };
  for (const x of values) {
    out.push(win.length > 0 ? 1 - upperTail(Math.abs(x - mean) / std) : 0);
    if (win.length < windowSize) {
      win.push(x);
      refresh();
    } else {
      buffer.push(x);
      if (buffer.length === stepSize) {
        win = [...win.slice(stepSize), ...buffer];
        buffer = [];
        refresh();
      }
    }
  }
  return out;
}

/** Q(z) = erfc(z/√2)/2, with Numerical Recipes' erfc (relative error < 1.2e-7). */
export function upperTail(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
