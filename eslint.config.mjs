// Type-aware lint (typescript-eslint with the project service): it guards what the type checker
// does not, above all promises nobody awaits or handles. Scope: the hub, its libs, bench, test and
// examples, the client SDK (libs/client) and its CLI (apps/cli). client/ and apps/admin join later.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'client/**',
      'apps/admin/**',
      'migrations/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: [
      'apps/hub/**/*.ts',
      'libs/crypto/**/*.ts',
      'libs/storage/**/*.ts',
      'libs/sync/**/*.ts',
      'libs/client/**/*.ts',
      'apps/cli/**/*.ts',
      'bench/**/*.ts',
      'test/**/*.ts',
      'examples/**/*.ts',
    ],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // The hub talks to untyped JSON, raw SQL rows and Nest internals; `any` is visible in review.
      '@typescript-eslint/no-explicit-any': 'off',
      // Decorated classes (Nest modules, DTOs) are legitimately empty.
      '@typescript-eslint/no-extraneous-class': 'off',
      // TypeScript already reports undefined names, and knows the globals better.
      'no-undef': 'off',
      // The hub strips control characters on purpose (sanitisers, NUL checks for Postgres text).
      'no-control-regex': 'off',
      // Tests match the two-space columns the example client prints, as they are printed.
      'no-regex-spaces': 'off',
      // A placeholder counter bumped for the next `$n` reads best with its last ++ left in place.
      'no-useless-assignment': 'off',
      // `let x; const f = () => use(x); x = await …` is the closure-before-assignment idiom.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
);
