/**
 * graphql-js, always the CommonJS build that Nest and Apollo use. A bare `import 'graphql'`
 * resolves to its ESM build under vitest, and graphql-js refuses schemas and errors made by
 * the other build ("another module or realm"); the explicit file is the same build everywhere.
 */
export {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  GraphQLError,
  Kind,
  TypeInfo,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  parse,
  printSchema,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql/index.js';
