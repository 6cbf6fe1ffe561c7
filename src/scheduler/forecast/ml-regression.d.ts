// ml-regression 6.3.0 ships no type declarations of its own (its sub-packages partly do).
// We declare only the three classes the forecasters use, with the shapes read from
// node_modules/ml-regression*/src. Pulled in by ./ml.ts with a triple-slash reference so
// both tsconfig.json (worker) and tsconfig.node.json (scripts, bench) see it.
declare module "ml-regression" {
  export class MultivariateLinearRegression {
    constructor(x: number[][], y: number[][], options?: { intercept?: boolean; statistics?: boolean });
    weights: number[][];
    predict(x: number[]): number[];
  }
  export class TheilSenRegression {
    constructor(x: number[], y: number[]);
    slope: number;
    intercept: number;
    predict(x: number): number;
  }
  export class PolynomialRegression {
    constructor(x: number[], y: number[], degree: number);
    coefficients: number[];
    predict(x: number): number;
  }
}
