import { Inject, Injectable } from '@nestjs/common';
import { Plugin } from '@nestjs/apollo';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { type DocumentNode, type FragmentDefinitionNode, GraphQLError, type GraphQLSchema, Kind, type SelectionSetNode } from './graphql-js';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { HubConfig } from '../config/hub-config';

/** Depth of the operation's selections, fragments inlined; introspection is bounded by graphql-js itself. */
export function operationDepth(document: DocumentNode, operationName?: string | null): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const depth = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    let max = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value.startsWith('__')) continue;
        max = Math.max(max, 1 + depth(s.selectionSet, seen));
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depth(s.selectionSet, seen));
      } else if (!seen.has(s.name.value)) {
        // a fragment cycle is refused by validation; the set only stops us looping before it is
        max = Math.max(max, depth(fragments.get(s.name.value)?.selectionSet, new Set([...seen, s.name.value])));
      }
    }
    return max;
  };
  return op && op.kind === Kind.OPERATION_DEFINITION ? depth(op.selectionSet, new Set()) : 0;
}

/** Checks depth, then complexity, of a parsed and validated operation; returns the refusal, if any. */
export function checkLimits(
  limits: { maxDepth: number; maxComplexity: number },
  op: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variables?: Record<string, unknown> },
): GraphQLError | null {
  const depth = operationDepth(op.document, op.operationName);
  if (depth > limits.maxDepth) {
    return new GraphQLError(`the query is ${depth} levels deep; this hub allows ${limits.maxDepth}. Ask for fewer nested fields`, {
      extensions: { code: 'QUERY_TOO_DEEP', depth, maximum: limits.maxDepth, http: { status: 400 } },
    });
  }
  let complexity: number;
  try {
    complexity = getComplexity({
      schema: op.schema,
      query: op.document,
      operationName: op.operationName ?? undefined,
      variables: op.variables ?? {},
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    // costing coerces the variables first, so this is a bad variable (as execution would say)
    return new GraphQLError((err as Error).message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
  if (complexity > limits.maxComplexity) {
    return new GraphQLError(
      `the query costs ${complexity} points; this hub allows ${limits.maxComplexity}. Ask for smaller pages (first), fewer fields or fewer aliases`,
      { extensions: { code: 'QUERY_TOO_COMPLEX', complexity, maximum: limits.maxComplexity, http: { status: 400 } } },
    );
  }
  return null;
}

/**
 * Connection fields cost their children once per item they may return. A `first` above the page
 * bound is costed at the bound, so the client hears about the bound, not about complexity.
 */
export function pageComplexity(defaultFirst: number, maxFirst: number) {
  return ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }) =>
    1 + Math.min(typeof args.first === 'number' && args.first > 0 ? args.first : defaultFirst, maxFirst) * childComplexity;
}

/** Refuses too deep or too costly HTTP operations after validation, before anything runs. */
@Plugin()
@Injectable()
export class QueryLimitsPlugin implements ApolloServerPlugin {
  constructor(@Inject(HubConfig) private readonly config: HubConfig) {}

  async requestDidStart(): Promise<GraphQLRequestListener<object>> {
    const limits = { maxDepth: this.config.GRAPHQL_MAX_DEPTH, maxComplexity: this.config.GRAPHQL_MAX_COMPLEXITY };
    return {
      async didResolveOperation({ request, document, schema }) {
        const refusal = checkLimits(limits, { schema, document, operationName: request.operationName, variables: request.variables });
        if (refusal) throw refusal;
      },
    };
  }
}
