import type { Document } from 'bson';
import { Context, evalExpr, OpType } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import type { AnyObject, Options } from 'mingo/types';
import { queryOptions } from './query.js';

/**
 * Aggregation expressions (`{$size: '$messages'}`) evaluated by mingo outside a pipeline: in
 * find/findAndModify projections. mingo copies every operator table of a plain options object
 * on each evaluation (hundreds of entries); a prepared compute-options object skips that, so
 * one is made per command here and reused for each document.
 */

/** Identity of the one call that hands out mingo's prepared options (nothing else can pass it). */
const CAPTURE = Object.freeze({});

function capture(_obj: AnyObject, expr: unknown, options: Options): unknown {
  if (expr !== CAPTURE) throw new Error("Unrecognized expression '$__embeddedComputeOptions'");
  return options;
}

type ExpressionOps = Parameters<Context['addExpressionOps']>[0];

const context = Context.init({ accumulator: accumulatorOperators }).addExpressionOps({ ...expressionOperators, $__embeddedComputeOptions: capture } as unknown as ExpressionOps);

/** mingo's prepared options (its ComputeOptions class is not exported). */
interface PreparedOptions extends Options {
  update(locals: { root: unknown }): unknown;
}

/** Prepared once: preparing copies every operator table, and each command derives its own from this one cheaply. */
let template: PreparedOptions | undefined;

function prepare(): PreparedOptions {
  template ??= evalExpr({}, { $__embeddedComputeOptions: CAPTURE }, { ...queryOptions, context } as Options) as PreparedOptions;
  // Without a root, mingo derives a new options object (sharing the operator tables) instead of reusing this one.
  template.update({ root: undefined });
  return evalExpr({}, { $__embeddedComputeOptions: CAPTURE }, template) as PreparedOptions;
}

/** True when `name` is an expression operator (`$size`, `$sum`...). */
export function isExpressionName(name: string): boolean {
  return context.getOperator(OpType.EXPRESSION, name) !== null || context.getOperator(OpType.ACCUMULATOR, name) !== null;
}

/** Evaluates expressions against documents; one per command, so `$$NOW` is one instant for all of them. */
export class ExpressionEvaluator {
  private options: PreparedOptions | undefined;

  /** The value of `expr` with `$$ROOT` (and `$$CURRENT`) = `root`; undefined = missing. */
  evaluate(root: Document, expr: unknown): unknown {
    this.options ??= prepare();
    this.options.update({ root });
    return evalExpr(root, expr, this.options);
  }
}
